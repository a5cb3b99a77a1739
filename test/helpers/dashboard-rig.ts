/**
 * What every dashboard browser test stands on: a real server running a test
 * app, headless Chromium, and official clients beside it, all closed
 * together; and `open`, a new page that logs in to the dashboard at an
 * address (`#/logs`), with the admin key unless told another.
 */
import type { Page } from 'playwright-core';
import { type TestBrowser, launchBrowser } from './browser.ts';
import { type ConvexClients, convexClients } from './convex-clients.ts';
import {
  TEST_ADMIN_KEY,
  type TestServer,
  startTestServer,
} from './converge-server.ts';

export interface DashboardRig extends AsyncDisposable {
  server: TestServer;
  browser: TestBrowser;
  clients: ConvexClients;
  /** A new page (a tab of its own) at `/dashboard<hash>`, the key submitted. */
  open(hash?: string, key?: string): Promise<Page>;
}

export async function dashboardRig(app: string): Promise<DashboardRig> {
  const server = await startTestServer(app);
  const browser = await launchBrowser();
  const clients = convexClients(server.url);
  return {
    server,
    browser,
    clients,
    async open(hash = '', key = TEST_ADMIN_KEY) {
      const page = await browser.page();
      await page.goto(`${server.url}/dashboard${hash}`);
      await page.fill('#admin-key', key);
      await page.click('button[type=submit]');
      return page;
    },
    async [Symbol.asyncDispose]() {
      await clients[Symbol.asyncDispose]();
      await browser[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
    },
  };
}

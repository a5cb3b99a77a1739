/**
 * The dashboard's Health page in headless Chromium: the figures the server
 * pushes (its sessions, this test's mutations among the runs), and the
 * environment variables added, changed and removed from the page, as the
 * deployment itself then reports them.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { screenshot } from '../helpers/browser.ts';
import { TEST_ADMIN_KEY } from '../helpers/converge-server.ts';
import { type DashboardRig, dashboardRig } from '../helpers/dashboard-rig.ts';
import { add } from '../helpers/notes-api.ts';

const SHOWN_MS = 10_000;

let rig: DashboardRig;

beforeAll(async () => {
  rig = await dashboardRig('e2e');
}, 60_000);

afterAll(async () => {
  await rig?.[Symbol.asyncDispose]();
});

function figure(page: Page, name: string): Promise<string | null> {
  return page
    .locator(`[data-figure="${name}"] .figure-value`)
    .textContent({ timeout: SHOWN_MS });
}

/** The variables as the deployment reports them to the CLI. */
async function variables(): Promise<{ name: string; value: string }[]> {
  const response = await fetch(`${rig.server.url}/api/query`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Convex ${TEST_ADMIN_KEY}`,
    },
    body: JSON.stringify({
      path: '_system/cli/queryEnvironmentVariables',
      args: {},
      format: 'json',
    }),
  });
  return (
    (await response.json()) as { value: { name: string; value: string }[] }
  ).value;
}

test('the figures come live, and environment variables change from the page', async () => {
  const writer = rig.clients.open();
  for (let i = 0; i < 3; i++)
    await writer.mutation(add, { list: 'health', text: `n${i}` });

  const page = await rig.open('#/health');
  await expect
    .poll(() => page.getByRole('status').textContent(), { timeout: SHOWN_MS })
    .toBe('live');
  // The writer and the page's own client are sessions of this process.
  await expect.poll(() => figure(page, 'sessions')).toBe('2');
  const mutations = page.locator('tr[data-kind=mutation] td');
  await expect
    .poll(async () => (await mutations.allTextContents()).slice(0, 3), {
      timeout: SHOWN_MS,
    })
    .toEqual(['mutation', '3', '0']);

  // Added, changed, removed: each is what the deployment then reports.
  await page.fill('#env-name', 'GREETING');
  await page.fill('#env-value', 'hello');
  await page.getByRole('button', { name: 'Add' }).click();
  await page.locator('tr[data-name=GREETING]').waitFor({ timeout: SHOWN_MS });
  expect(await variables()).toEqual([{ name: 'GREETING', value: 'hello' }]);
  await screenshot(page, 'health');

  await page.fill('[aria-label="Value of GREETING"]', 'bonjour');
  await page
    .locator('tr[data-name=GREETING]')
    .getByRole('button', { name: 'Save' })
    .click();
  await expect
    .poll(variables, { timeout: SHOWN_MS })
    .toEqual([{ name: 'GREETING', value: 'bonjour' }]);

  await page
    .locator('tr[data-name=GREETING]')
    .getByRole('button', { name: 'Remove' })
    .click();
  await page
    .locator('tr[data-name=GREETING]')
    .waitFor({ state: 'detached', timeout: SHOWN_MS });
  expect(await variables()).toEqual([]);
});

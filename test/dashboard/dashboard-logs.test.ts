/**
 * The dashboard's Logs page in headless Chromium: runs made by a client
 * appear as they finish, with their kind, path, outcome and log lines, and
 * the filters narrow them by text, kind and outcome.
 */
import { makeFunctionReference } from 'convex/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { screenshot } from '../helpers/browser.ts';
import { type DashboardRig, dashboardRig } from '../helpers/dashboard-rig.ts';

const SHOWN_MS = 10_000;

const greet = makeFunctionReference<
  'mutation',
  { name: string },
  { greeting: string }
>('greetings:greet');
const refuse = makeFunctionReference<'mutation', { list: string }, null>(
  'notes:refuse',
);

let rig: DashboardRig;

beforeAll(async () => {
  rig = await dashboardRig('e2e');
}, 60_000);

afterAll(async () => {
  await rig?.[Symbol.asyncDispose]();
});

function shownPaths(page: Page): Promise<string[]> {
  return page.locator('table.log-table td[data-field=path]').allTextContents();
}

test('runs appear as they finish, and the filters narrow them', async () => {
  const client = rig.clients.open();
  await client.mutation(greet, { name: 'before' });

  const page = await rig.open('#/logs');
  // What ran before the page opened is there at once.
  await expect
    .poll(() => shownPaths(page), { timeout: SHOWN_MS })
    .toEqual(['greetings:greet']);
  await expect
    .poll(() => page.getByRole('status').textContent(), { timeout: SHOWN_MS })
    .toBe('live');

  // Live: each run shows, newest first, with its log lines and outcome.
  await client.mutation(greet, { name: 'Grace' });
  await expect(client.mutation(refuse, { list: 'x' })).rejects.toThrow();
  await expect
    .poll(() => shownPaths(page), { timeout: SHOWN_MS })
    .toEqual(['notes:refuse', 'greetings:greet', 'greetings:greet']);
  const newest = page.locator('table.log-table tbody tr').first();
  expect(await newest.getAttribute('class')).toBe('failed');
  expect(
    await newest.locator('td[data-field=outcome]').textContent(),
  ).toContain('ConvexError');
  const greeting = page.locator('table.log-table tbody tr').nth(1);
  expect(
    await greeting.locator('td[data-field=log-lines] div').allTextContents(),
  ).toEqual(["[LOG] 'greeting' 'Grace'", "[INFO] 'as' 'nobody'"]);
  await screenshot(page, 'logs');

  // Text in a log line, then failures only, then a kind with no runs.
  await page.fill('#log-text', 'grace');
  await expect.poll(() => shownPaths(page)).toEqual(['greetings:greet']);
  await page.fill('#log-text', '');
  await page.selectOption('#log-outcome', 'failure');
  await expect.poll(() => shownPaths(page)).toEqual(['notes:refuse']);
  await page.selectOption('#log-outcome', 'all');
  await page.selectOption('#log-kind', 'Query');
  await expect.poll(() => shownPaths(page)).toEqual([]);
});

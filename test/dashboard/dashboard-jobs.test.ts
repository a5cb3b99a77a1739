/**
 * The Health page's scheduled functions and crons in headless Chromium,
 * against a server running test/apps/jobs: jobs a mutation schedules show
 * pending, then as they succeed or fail; each declared cron shows its
 * schedule and its next run.
 */
import { makeFunctionReference } from 'convex/server';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { screenshot } from '../helpers/browser.ts';
import { dashboardRig } from '../helpers/dashboard-rig.ts';

const SHOWN_MS = 10_000;
const plan = makeFunctionReference<'mutation', Record<string, never>, null>(
  'jobs:plan',
);

function states(page: Page): Promise<string[]> {
  return page
    .locator('table[aria-label="Scheduled functions"] td[data-field=state]')
    .allTextContents();
}

test('scheduled jobs and crons show live on the Health page', async () => {
  await using rig = await dashboardRig('jobs');
  const page = await rig.open('#/health');

  // Both crons, with their schedules and, once planned, their next runs.
  const nightly = page.locator('tr[data-cron=nightly]');
  await nightly.waitFor({ timeout: SHOWN_MS });
  expect(await nightly.locator('td[data-field=schedule]').textContent()).toBe(
    'daily at 03:30 UTC',
  );
  expect(
    await page
      .locator('tr[data-cron="weekly report"] td[data-field=schedule]')
      .textContent(),
  ).toBe('Mondays at 09:00 UTC');
  await expect
    .poll(() => nightly.locator('td[data-field=next]').textContent(), {
      timeout: SHOWN_MS,
    })
    .toMatch(/T03:30:00\.000Z$/);

  // Planned from a client: one due in an hour, one that runs, one that fails.
  await rig.clients.open().mutation(plan, {});
  await expect
    .poll(async () => (await states(page)).sort(), { timeout: SHOWN_MS })
    .toEqual(['failed: Uncaught Error: cannot tick -1', 'pending', 'success']);
  // Unfinished first, as Convex lists them.
  expect((await states(page))[0]).toBe('pending');
  // The page's own three subscriptions (jobs, crons, variables), and the
  // runs: the planning mutation and the two jobs that ran.
  await expect
    .poll(
      () =>
        page.locator('[data-figure=subscriptions] .figure-value').textContent(),
      { timeout: SHOWN_MS },
    )
    .toBe('3');
  await expect
    .poll(
      async () =>
        (
          await page.locator('tr[data-kind=mutation] td').allTextContents()
        ).slice(0, 3),
      { timeout: SHOWN_MS },
    )
    .toEqual(['mutation', '3', '1']);
  await screenshot(page, 'health-jobs');
});

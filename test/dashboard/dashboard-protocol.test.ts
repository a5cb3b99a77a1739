/**
 * The protocol page in headless Chromium, reached from the dashboard's
 * header: its style applies under the page's strict policy (the hash
 * matches), and it lists every message of the document.
 */
import { expect, test } from 'vitest';
import { screenshot } from '../helpers/browser.ts';
import { dashboardRig } from '../helpers/dashboard-rig.ts';

test('the dashboard links to the rendered protocol, styled and complete', async () => {
  await using rig = await dashboardRig('e2e');
  const page = await rig.open();
  const refused: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') refused.push(message.text());
  });
  await page.getByRole('link', { name: 'Protocol' }).click();
  await page.waitForURL(`${rig.server.url}/protocol`);

  expect(await page.locator('h1').textContent()).toBe('Convex Sync Protocol');
  const messages = await page.locator('article.message h3').allTextContents();
  for (const name of ['Connect', 'ModifyQuerySet', 'Mutation', 'Transition'])
    expect(messages).toContain(name);
  // The inline style ran: the policy allowed it by its hash.
  expect(
    await page.locator('body').evaluate(
      // Runs in the page: the window's own getComputedStyle.
      (body) =>
        (
          globalThis as unknown as {
            getComputedStyle(e: unknown): { maxWidth: string };
          }
        ).getComputedStyle(body).maxWidth,
    ),
  ).not.toBe('none');
  expect(refused).toEqual([]);
  await screenshot(page, 'protocol');
});

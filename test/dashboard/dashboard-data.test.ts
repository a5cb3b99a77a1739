/**
 * The dashboard in a real browser (headless Chromium), against a real
 * server running test/apps/e2e, with the official client writing beside
 * it: a wrong admin key is refused, the right one opens the Data page, a
 * table fills live as a client inserts, and an edit, a refused edit, an
 * insert and a delete made in the page reach a client's subscription.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { screenshot } from '../helpers/browser.ts';
import { type DashboardRig, dashboardRig } from '../helpers/dashboard-rig.ts';
import { add, list } from '../helpers/notes-api.ts';
import { watchQuery } from '../helpers/query-watch.ts';

/** How long the page may take to show what the server sent: far above a frame or two. */
const SHOWN_MS = 10_000;

let rig: DashboardRig;

beforeAll(async () => {
  rig = await dashboardRig('e2e');
}, 60_000);

afterAll(async () => {
  await rig?.[Symbol.asyncDispose]();
});

/** The number of document rows the page shows. */
function rows(page: Page): Promise<number> {
  return page.locator('table.documents tbody tr').count();
}

async function rowsReach(page: Page, count: number): Promise<void> {
  await expect.poll(() => rows(page), { timeout: SHOWN_MS }).toBe(count);
}

describe('the dashboard, logged in with the admin key', () => {
  test('a wrong key is refused, and nothing of the deployment shows', async () => {
    const page = await rig.open('', 'converge|not-the-key');
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /not valid/ }).waitFor({ timeout: SHOWN_MS });
    expect(await alert.textContent()).toBe(
      'That admin key is not valid for this deployment.',
    );
    expect(await page.locator('nav').count()).toBe(0);
    expect(
      await page.evaluate("sessionStorage.getItem('converge.adminKey')"),
    ).toBeNull();
    await screenshot(page, 'login-refused');
  });

  test('the Data page shows a table filling live as a client inserts', async () => {
    const writer = rig.clients.open();
    await writer.mutation(add, { list: 'live', text: 'first' });
    const page = await rig.open();
    await page.getByRole('link', { name: /notes/ }).click();
    await rowsReach(page, 1);

    for (let i = 2; i <= 6; i++) {
      await writer.mutation(add, { list: 'live', text: `note ${i}` });
      // Newest first: each insert appears at the top, as it commits.
      await rowsReach(page, i);
      expect(
        await page
          .locator('table.documents tbody tr')
          .first()
          .locator('td[data-field=text]')
          .textContent(),
      ).toBe(`note ${i}`);
    }
    expect(await page.locator('ul.tables .count').first().textContent()).toBe(
      '6',
    );
    await screenshot(page, 'data');
  });

  test('an edit, a refused edit, an insert and a delete in the page reach a subscribed client', async () => {
    const client = rig.clients.open();
    const id = await client.mutation(add, { list: 'edited', text: 'draft' });
    using watched = watchQuery(client, list, { list: 'edited' });
    await watched.next((notes) => notes.length === 1);

    const page = await rig.open('#/data/notes');
    await page.click(`tr[data-id="${id}"]`);
    const editor = page.locator('#document-json');
    expect(JSON.parse(await editor.inputValue())).toEqual({
      list: 'edited',
      text: 'draft',
    });

    // Saved: the client's subscription shows the new text.
    await editor.fill(JSON.stringify({ list: 'edited', text: 'final' }));
    await screenshot(page, 'document-editor');
    await page.getByRole('button', { name: 'Save' }).click();
    const edited = await watched.next((notes) => notes[0]?.text === 'final');
    expect(edited).toMatchObject([{ _id: id, list: 'edited', text: 'final' }]);

    // Refused: the schema wants a string; the page says so, nothing changes.
    await page.click(`tr[data-id="${id}"]`);
    await editor.fill(JSON.stringify({ list: 'edited', text: 7 }));
    await page.getByRole('button', { name: 'Save' }).click();
    const refusal = page.locator('.editor [role=alert]');
    await refusal
      .filter({ hasText: /does not match the schema/ })
      .waitFor({ timeout: SHOWN_MS });
    expect(watched.values.at(-1)).toMatchObject([{ text: 'final' }]);
    await page.getByRole('button', { name: 'Close' }).click();

    // Inserted from the page: the client sees a second note.
    await page.getByRole('button', { name: 'Add document' }).click();
    await editor.fill(JSON.stringify({ list: 'edited', text: 'added' }));
    await page.getByRole('button', { name: 'Insert' }).click();
    const both = await watched.next((notes) => notes.length === 2);
    expect(both.map((note) => note.text).sort()).toEqual(['added', 'final']);

    // Deleted from the page: the client sees it go.
    await page.click(`tr[data-id="${id}"]`);
    await page.getByRole('button', { name: 'Delete' }).click();
    const left = await watched.next(
      (notes) => !notes.some((note) => note._id === id),
    );
    expect(left.map((note) => note.text)).toEqual(['added']);
    await page
      .locator(`tr[data-id="${id}"]`)
      .waitFor({ state: 'detached', timeout: SHOWN_MS });
  });

  test('a filter on a field shows only the documents that pass it', async () => {
    const writer = rig.clients.open();
    for (const text of ['kept 1', 'kept 2'])
      await writer.mutation(add, { list: 'filtered', text });
    const page = await rig.open('#/data/notes');
    await page.locator('table.documents').waitFor({ timeout: SHOWN_MS });
    await page.fill('#filter-field', 'list');
    await page.selectOption('#filter-op', 'eq');
    await page.fill('#filter-value', '"filtered"');
    await page.getByRole('button', { name: 'Apply' }).click();
    await rowsReach(page, 2);
    // Live under the filter too: a passing insert shows, another does not.
    await writer.mutation(add, { list: 'elsewhere', text: 'hidden' });
    await writer.mutation(add, { list: 'filtered', text: 'kept 3' });
    await rowsReach(page, 3);
    expect(await rows(page)).toBe(3);
  });
});

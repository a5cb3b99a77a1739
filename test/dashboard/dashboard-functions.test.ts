/**
 * The dashboard's Functions page in headless Chromium against a server
 * running test/apps/e2e: every function listed with its kind and
 * visibility, and run from the page with JSON arguments, as the admin or
 * acting as a user, showing the result, the log lines and the time; an
 * internal function runs too, and bad arguments are refused with the
 * validator's message.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { screenshot } from '../helpers/browser.ts';
import { type DashboardRig, dashboardRig } from '../helpers/dashboard-rig.ts';

const SHOWN_MS = 10_000;

let rig: DashboardRig;

beforeAll(async () => {
  rig = await dashboardRig('e2e');
}, 60_000);

afterAll(async () => {
  await rig?.[Symbol.asyncDispose]();
});

/** A new page, logged in, on the Functions page with `path` chosen. */
async function openFunction(path: string): Promise<Page> {
  const page = await rig.open();
  await page.getByRole('link', { name: 'Functions' }).click();
  await choose(page, path);
  return page;
}

async function choose(page: Page, path: string): Promise<void> {
  await page
    .locator(`a[href="#/functions/${encodeURIComponent(path)}"]`)
    .click();
  await page
    .getByRole('heading', { name: path })
    .waitFor({ timeout: SHOWN_MS });
}

async function run(page: Page, args: unknown): Promise<void> {
  await page.fill('#function-args', JSON.stringify(args));
  await page.getByRole('button', { name: 'Run' }).click();
  await page.locator('.outcome').waitFor({ timeout: SHOWN_MS });
}

async function logLines(page: Page): Promise<string[]> {
  return page.locator('[data-testid=log-lines] li').allTextContents();
}

describe('the Functions page', () => {
  test('lists every function by module, with its kind, visibility and arguments', async () => {
    const page = await openFunction('greetings:greet');
    const listed = await page.locator('.function-list a').allTextContents();
    expect(listed).toEqual(
      expect.arrayContaining([
        'addAndCountaction',
        'secretaction, internal',
        'greetmutation',
        'whisperquery, internal',
        'listquery',
        'purgemutation, internal',
      ]),
    );
    expect(await page.locator('pre.signature').textContent()).toBe(
      'args: { name: string; times?: number }\nreturns: any',
    );
  });

  test('runs a mutation with arguments and shows its result, log lines and time', async () => {
    const page = await openFunction('greetings:greet');
    await run(page, { name: 'Ada' });
    expect(await page.locator('.outcome').textContent()).toMatch(
      /^Succeeded in \d+\.\d ms$/,
    );
    expect(
      JSON.parse((await page.getByTestId('result').textContent()) ?? ''),
    ).toEqual({ greeting: 'Hello, Ada!', by: null });
    expect(await logLines(page)).toEqual([
      "[LOG] 'greeting' 'Ada'",
      "[INFO] 'as' 'nobody'",
    ]);
    await screenshot(page, 'functions');
  });

  test('acting as a user, the function sees that identity', async () => {
    const page = await openFunction('greetings:greet');
    await page.check('#act-as');
    await page.fill(
      '#identity',
      JSON.stringify({ subject: 'ada', issuer: 'https://id.example' }),
    );
    await run(page, { name: 'Ada', times: 2 });
    expect(
      JSON.parse((await page.getByTestId('result').textContent()) ?? ''),
    ).toEqual({ greeting: 'Hello, Ada!Hello, Ada!', by: 'ada' });
    expect(await logLines(page)).toContain("[INFO] 'as' 'ada'");
  });

  test('an internal query runs for the admin; bad arguments are refused by the validator', async () => {
    const page = await openFunction('greetings:whisper');
    await run(page, {});
    expect(
      JSON.parse((await page.getByTestId('result').textContent()) ?? ''),
    ).toBe('psst');
    expect(await logLines(page)).toEqual(["[WARN] 'only an admin hears this'"]);

    await choose(page, 'greetings:greet');
    await run(page, { name: 3 });
    expect(await page.locator('.outcome').textContent()).toMatch(/^Failed/);
    expect(
      await page.locator('.run-output [role=alert]').textContent(),
    ).toMatch(/ArgumentValidationError/);
  });
});

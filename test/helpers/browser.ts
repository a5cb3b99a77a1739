/**
 * A headless Chromium for the dashboard's end-to-end tests: Debian's
 * `chromium` package (`/usr/bin/chromium`, or CHROMIUM_PATH) driven by
 * playwright-core, which downloads no browser of its own. The flags keep it
 * off the network it would otherwise try to reach at every start (these
 * machines have none: background networking, component updates, sync, QUIC)
 * and let it run as root in a container (`--no-sandbox`); each launch gets an
 * empty profile.
 *
 * Screenshots go to `test-artifacts/dashboard/` (not committed), one per
 * page a test looks at, kept for a person to look at after the run.
 *
 * When Chromium is missing the tests fail, saying how to install it: the
 * dashboard tests are part of CI (`.ci/run` installs it), not optional.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const ARTIFACTS = join(
  import.meta.dirname,
  '..',
  '..',
  'test-artifacts',
  'dashboard',
);

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
  /** A new page in a context of its own (its own sessionStorage), 1280×800. */
  page(): Promise<Page>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: FLAGS,
  });
  return {
    browser,
    async page() {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
      });
      return context.newPage();
    },
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  };
}

/** Saves what `page` shows as `test-artifacts/dashboard/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
import { withBundlerService } from './bundler-service.ts';

/** This process's children that are esbuild services (Linux: /proc). */
function bundlerServices(): number {
  let count = 0;
  for (const task of readdirSync('/proc/self/task')) {
    let children = '';
    try {
      children = readFileSync(`/proc/self/task/${task}/children`, 'utf8');
    } catch {
      continue; // The thread ended meanwhile.
    }
    for (const pid of children.split(' ').filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--service='))
          count += 1;
      } catch {
        // The child exited meanwhile.
      }
    }
  }
  return count;
}

/** The number of services once those stopped have had time to exit (a signal, then the exit). */
async function settledBundlerServices(): Promise<number> {
  for (let tries = 0; tries < 200 && bundlerServices() > 0; tries++)
    await sleep(10);
  return bundlerServices();
}

const bundle = async (contents: string): Promise<string> => {
  const result = await build({
    stdin: { contents, loader: 'js' },
    bundle: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
};

test('the bundler service runs while a bundle is made, and is gone once none is', async () => {
  const made = await withBundlerService(async () => {
    const text = await bundle('export const answer = 42;');
    // The service that built it is still there for the next build.
    expect(bundlerServices()).toBe(1);
    return text;
  });
  expect(made).toContain('42');
  expect(await settledBundlerServices()).toBe(0);

  // The next bundle starts it again.
  expect(
    await withBundlerService(() => bundle('export const b = 7;')),
  ).toContain('7');
  expect(await settledBundlerServices()).toBe(0);
});

test('a bundle still being made keeps the service when another one finishes first', async () => {
  let finishSlow = (): void => undefined;
  const slowMayFinish = new Promise<void>((resolve) => (finishSlow = resolve));
  const slow = withBundlerService(async () => {
    const first = await bundle('export const slow = 1;');
    await slowMayFinish;
    // Built on the service the quick one did not stop.
    return first + (await bundle('export const slower = 2;'));
  });
  const quick = await withBundlerService(() => bundle('export const q = 3;'));
  expect(quick).toContain('3');
  expect(bundlerServices()).toBe(1);

  finishSlow();
  expect(await slow).toContain('slower');
  expect(await settledBundlerServices()).toBe(0);
});

import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { watchFunctions } from './functions-watcher.ts';

/** A functions directory with `_generated/` in it, removed on dispose. */
function functionsDir() {
  const path = mkdtempSync(join(tmpdir(), 'converge-watch-'));
  mkdirSync(join(path, '_generated'));
  writeFileSync(join(path, 'messages.ts'), 'export {};\n');
  return {
    path,
    [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Records each burst the watcher reports. */
function recorder() {
  const bursts: string[][] = [];
  return {
    bursts,
    onChange: (paths: string[]) => bursts.push(paths),
    async settle() {
      // Past the debounce, with room for a slow file system to report.
      await sleep(400);
    },
  };
}

test('a burst of saves is reported once, with every path that changed', async () => {
  using dir = functionsDir();
  const seen = recorder();
  using _watcher = watchFunctions(dir.path, seen.onChange);
  await sleep(50);

  writeFileSync(join(dir.path, 'messages.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir.path, 'messages.ts'), 'export const a = 2;\n');
  mkdirSync(join(dir.path, 'chat'));
  writeFileSync(join(dir.path, 'chat', 'rooms.ts'), 'export {};\n');
  await seen.settle();

  expect(seen.bursts).toHaveLength(1);
  expect(seen.bursts[0]).toEqual(
    expect.arrayContaining(['messages.ts', join('chat', 'rooms.ts')]),
  );
});

test('writes to _generated/, hidden files and backups are not changes', async () => {
  using dir = functionsDir();
  const seen = recorder();
  using _watcher = watchFunctions(dir.path, seen.onChange);
  await sleep(50);

  // What codegen writes on every reload: watching it would reload forever.
  writeFileSync(join(dir.path, '_generated', 'api.d.ts'), 'export {};\n');
  writeFileSync(join(dir.path, '.messages.ts.swp'), '');
  writeFileSync(join(dir.path, 'messages.ts~'), '');
  await seen.settle();

  expect(seen.bursts).toEqual([]);
});

test('after close nothing is reported', async () => {
  using dir = functionsDir();
  const seen = recorder();
  const watcher = watchFunctions(dir.path, seen.onChange);
  await sleep(50);
  writeFileSync(join(dir.path, 'messages.ts'), 'export const a = 3;\n');
  watcher.close();
  await seen.settle();
  expect(seen.bursts).toEqual([]);
});

test('a file saved by renaming a new one over it is still watched afterwards', async () => {
  using dir = functionsDir();
  const seen = recorder();
  using _watcher = watchFunctions(dir.path, seen.onChange);
  await sleep(50);

  // How many editors save: write beside, then rename over the original.
  writeFileSync(join(dir.path, 'messages.ts.new'), 'export const a = 4;\n');
  renameSync(join(dir.path, 'messages.ts.new'), join(dir.path, 'messages.ts'));
  await seen.settle();
  // The next save, in place, is seen too.
  writeFileSync(join(dir.path, 'messages.ts'), 'export const a = 5;\n');
  await seen.settle();

  expect(seen.bursts).toHaveLength(2);
  expect(seen.bursts[1]).toEqual(['messages.ts']);
});

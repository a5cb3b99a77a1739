import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readEnvFile } from './env-file.ts';

function scratchDir() {
  const path = mkdtempSync(join(tmpdir(), 'converge-env-'));
  return {
    path,
    [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }),
  };
}

test('readEnvFile() reads dotenv syntax: comments, quotes, export and multi-line values', async () => {
  using dir = scratchDir();
  const file = join(dir.path, '.env.local');
  writeFileSync(
    file,
    [
      '# the greeting of the sample app',
      'GREETING=hello',
      'QUOTED="with spaces # not a comment"',
      'export EXPORTED=yes',
      'MULTI="first',
      'second"',
      'EMPTY=',
    ].join('\n'),
  );
  expect(await readEnvFile(file)).toEqual({
    success: true,
    env: {
      GREETING: 'hello',
      QUOTED: 'with spaces # not a comment',
      EXPORTED: 'yes',
      MULTI: 'first\nsecond',
      EMPTY: '',
    },
  });
});

test('readEnvFile() reports a missing file as a value', async () => {
  using dir = scratchDir();
  const missing = join(dir.path, 'nowhere.env');
  const result = await readEnvFile(missing);
  expect(result.success).toBe(false);
  expect(result.success ? '' : result.error).toContain(
    `cannot read the environment file ${missing}`,
  );
});

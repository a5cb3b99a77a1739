import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { packageRoot } from './package-root.ts';

test('the package root is found from src/ and from the CLI bundle’s cache folder alike', () => {
  const root = mkdtempSync(join(tmpdir(), 'converge-root-'));
  try {
    writeFileSync(join(root, 'package.json'), '{"name":"converge"}');
    // A package.json of another name on the way up is passed over.
    const cache = join(root, 'node_modules', '.cache', 'converge');
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(root, 'node_modules', 'package.json'), '{"name":"x"}');
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    for (const module of [
      join(root, 'src', 'cli', 'start-server.ts'),
      join(cache, 'cli.js'),
    ])
      expect(packageRoot(pathToFileURL(module).href)).toBe(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('outside any converge package it says where it looked', () => {
  expect(() => packageRoot(pathToFileURL('/tmp/nowhere/x.js').href)).toThrow(
    /No package.json named converge above \/tmp\/nowhere\/x.js/,
  );
});

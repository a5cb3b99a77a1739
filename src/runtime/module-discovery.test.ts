import { expect, test } from 'vitest';
import { discoverFunctions, modulePathOf } from './module-discovery.ts';

const app = new URL('../../test/apps/discovery/', import.meta.url).pathname;

test('discoverFunctions() finds modules by the Convex CLI rules', async () => {
  expect(await discoverFunctions(app)).toEqual({
    // Skipped: _generated/, schema.ts, auth.config.ts and messages.stories.ts (two dots),
    // "with space.ts", .hidden.ts, dir/script.ts (no import or export), component/ (it has a
    // convex.config.ts), node_modules/ and README.md.
    modules: ['dir/file.ts', 'http.ts', 'legacy.js', 'messages.ts'],
    schema: 'schema.ts',
    authConfig: 'auth.config.ts',
  });
});

test('modulePathOf() drops the extension', () => {
  expect(modulePathOf('dir/file.ts')).toBe('dir/file');
  expect(modulePathOf('legacy.js')).toBe('legacy');
  expect(modulePathOf('x.tsx')).toBe('x');
});

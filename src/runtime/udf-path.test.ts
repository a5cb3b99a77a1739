import { expect, test } from 'vitest';
import { canonicalUdfPath, parseUdfPath } from './udf-path.ts';

function canonical(text: string): string {
  const result = parseUdfPath(text);
  return result.success ? canonicalUdfPath(result.path) : result.error;
}

test('parseUdfPath() gives every spelling of one function the same canonical form', () => {
  for (const spelling of [
    'messages',
    'messages:default',
    'messages.js',
    'messages.js:default',
  ]) {
    expect(canonical(spelling)).toBe('messages:default');
  }
  expect(canonical('messages:list')).toBe('messages:list');
  expect(canonical('messages.js:list')).toBe('messages:list');
  expect(canonical('dir/file:fn')).toBe('dir/file:fn');
  expect(canonical('dir/file.js:fn')).toBe('dir/file:fn');
  expect(canonical('a/b/c')).toBe('a/b/c:default');
});

test('parseUdfPath() separates the module path from the export name', () => {
  expect(parseUdfPath('dir/file.js:fn')).toEqual({
    success: true,
    path: { module: 'dir/file', name: 'fn' },
  });
  expect(parseUdfPath('dir/file')).toEqual({
    success: true,
    path: { module: 'dir/file', name: 'default' },
  });
});

test('parseUdfPath() refuses paths Convex refuses', () => {
  expect(canonical('messages.ts:list')).toBe(
    'Invalid function path "messages.ts:list": a module path may only end in ".js".',
  );
  expect(canonical(':list')).toMatch(/has no file name/);
  expect(canonical('dir/:list')).toMatch(/has no file name/);
  expect(canonical('../secret:fn')).toMatch(/must be relative/);
  expect(canonical('messages:1abc')).toMatch(
    /"1abc" is not a valid function name/,
  );
});

import { describe, expect, test } from 'vitest';
import { nestsDeeperThan } from './json-depth.ts';

describe('nestsDeeperThan()', () => {
  test('counts objects and arrays alike; scalars nest nothing', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 'x' }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 'x' }] }, 2)).toBe(true);
  });

  test('a value nested a hundred thousand levels deep is measured without overflowing the stack', () => {
    const deep: unknown = JSON.parse(
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    );
    expect(nestsDeeperThan(deep, 128)).toBe(true);
  });
});

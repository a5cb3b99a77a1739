import { expect, test } from 'vitest';
import { adminKeyMatches } from './admin-key.ts';

test('adminKeyMatches() accepts only the exact key, whatever the lengths', () => {
  const key = 'converge-admin|01hx9k2c5v';
  expect(adminKeyMatches(key, key)).toBe(true);
  expect(adminKeyMatches('converge-admin|01hx9k2c5w', key)).toBe(false);
  expect(adminKeyMatches(`${key} `, key)).toBe(false);
  expect(adminKeyMatches('', key)).toBe(false);
});

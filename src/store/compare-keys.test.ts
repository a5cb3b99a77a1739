import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { compareKeys } from './compare-keys.ts';

test('keys order as Buffer.compare orders them: by byte, then shorter first', () => {
  const key = (...bytes: number[]) => Buffer.from(bytes);
  expect(compareKeys(key(1, 2), key(1, 2))).toBe(0);
  expect(compareKeys(key(1, 2), key(1, 3))).toBe(-1);
  expect(compareKeys(key(0xff), key(0x00, 0xff))).toBe(1);
  expect(compareKeys(key(1), key(1, 0))).toBe(-1);
  expect(compareKeys(key(), key(0))).toBe(-1);

  for (let i = 0; i < 2000; i++) {
    const a = randomBytes(i % 7);
    const b =
      i % 3 === 0 ? Buffer.concat([a, randomBytes(i % 4)]) : randomBytes(i % 5);
    expect(compareKeys(a, b)).toBe(Buffer.compare(a, b));
  }
});

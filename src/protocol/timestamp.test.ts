import { expect, test } from 'vitest';
import { decodeTimestamp, encodeTimestamp } from './timestamp.ts';

test('encodeTimestamp() writes padded base64 of 8 little-endian bytes', () => {
  // The values the protocol notes quote from the real client and backend.
  expect(encodeTimestamp(0n)).toBe('AAAAAAAAAAA=');
  expect(encodeTimestamp(100n)).toBe('ZAAAAAAAAAA=');
  expect(encodeTimestamp(500n)).toBe('9AEAAAAAAAA=');
  expect(encodeTimestamp(2n ** 64n - 1n)).toBe('//////////8=');
});

test('decodeTimestamp() inverts encodeTimestamp() across the u64 range', () => {
  const now = BigInt(Date.now()) * 1_000_000n;
  for (const ts of [0n, 1n, 255n, 256n, now, 2n ** 63n - 1n, 2n ** 64n - 1n]) {
    expect(decodeTimestamp(encodeTimestamp(ts))).toBe(ts);
  }
});

test('encodeTimestamp() refuses values outside u64', () => {
  expect(() => encodeTimestamp(-1n)).toThrow(RangeError);
  expect(() => encodeTimestamp(2n ** 64n)).toThrow(RangeError);
});

test('decodeTimestamp() refuses anything but 12 characters of 8 bytes', () => {
  expect(() => decodeTimestamp('AAAAAAAAAA')).toThrow(RangeError);
  expect(() => decodeTimestamp('AAAA')).toThrow(RangeError);
  expect(() => decodeTimestamp('AAAAAAAAAAAAAAAA')).toThrow(RangeError);
});

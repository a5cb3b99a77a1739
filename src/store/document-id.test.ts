import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  decodeDocumentId,
  encodeDocumentId,
  newInternalId,
} from './document-id.ts';

const tableNumber = fc.oneof(
  fc.integer({ min: 1, max: 0xffff_ffff }),
  fc.integer({ min: 10_001, max: 20_000 }),
);
const internalId = fc.uint8Array({ minLength: 16, maxLength: 16 });

test('decodeDocumentId() reads an id written by Convex', () => {
  // An id for table number 10001 quoted in the runtime notes (§4.3).
  const decoded = decodeDocumentId('j571ttpbb8jhqj38x3qwhmnmbh8jqy5k');
  expect(decoded?.tableNumber).toBe(10_001);
  expect(decoded?.internalId).toHaveLength(16);
});

test('encodeDocumentId() and decodeDocumentId() round-trip, 31 to 37 characters', () => {
  fc.assert(
    fc.property(tableNumber, internalId, (table, internal) => {
      const id = encodeDocumentId(table, internal);
      expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{31,37}$/);
      expect(decodeDocumentId(id)).toEqual({
        tableNumber: table,
        internalId: internal,
      });
    }),
    { numRuns: 2000 },
  );
});

test('ids of user tables are 32 characters', () => {
  expect(encodeDocumentId(10_001, newInternalId(Date.now()))).toHaveLength(32);
});

test('decodeDocumentId() rejects every single-character corruption', () => {
  fc.assert(
    fc.property(
      tableNumber,
      internalId,
      fc.nat(),
      fc.nat(),
      (table, internal, at, shift) => {
        const id = encodeDocumentId(table, internal);
        const position = at % id.length;
        const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
        const current = alphabet.indexOf(id.charAt(position));
        const replacement = alphabet.charAt((current + 1 + (shift % 31)) % 32);
        const corrupted =
          id.slice(0, position) + replacement + id.slice(position + 1);
        expect(decodeDocumentId(corrupted)).toBeNull();
      },
    ),
    { numRuns: 2000 },
  );
});

test('decodeDocumentId() rejects wrong lengths, foreign characters and table 0', () => {
  const id = encodeDocumentId(10_001, new Uint8Array(16).fill(7));
  expect(decodeDocumentId(id.slice(0, -1))).toBeNull();
  expect(decodeDocumentId(`${id}0`)).toBeNull();
  expect(decodeDocumentId(id.toUpperCase())).toBeNull();
  expect(decodeDocumentId(`${id.slice(0, -1)}u`)).toBeNull();
  expect(decodeDocumentId('messages')).toBeNull();
  expect(() => encodeDocumentId(0, new Uint8Array(16))).toThrow(RangeError);
});

test('newInternalId() is the creation time, 8 random bytes and the day number', () => {
  const at = Date.UTC(2026, 10, 23, 12);
  const day = Math.floor(at / 86_400_000);
  const a = newInternalId(at);
  const b = newInternalId(at);
  expect(Buffer.from(a.subarray(0, 6)).readUIntBE(0, 6)).toBe(at);
  expect((a[14] ?? 0) * 256 + (a[15] ?? 0)).toBe(day);
  expect(
    Buffer.from(a.subarray(6, 14)).equals(Buffer.from(b.subarray(6, 14))),
  ).toBe(false);
});

test('ids made later sort after earlier ones, as strings', () => {
  const ids = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, Date.now()].map((ms) =>
    encodeDocumentId(10_001, newInternalId(ms)),
  );
  expect([...ids].sort()).toEqual(ids);
});

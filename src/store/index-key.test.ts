import { type Value, compareValues } from 'convex/values';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type IndexValue,
  decodeIndexKey,
  encodeIndexKey,
} from './index-key.ts';

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const float64 = fc.oneof(
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    Infinity,
    -Infinity,
    NaN,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
  ),
);
const text = fc.string({ unit: 'binary', maxLength: 12 });
const bytes = fc
  .uint8Array({ maxLength: 12 })
  .map((array) =>
    array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength),
  );
/** Convex field names: printable ASCII, not starting with `$`. */
const fieldName = fc
  .string({
    unit: fc
      .integer({ min: 0x20, max: 0x7e })
      .map((c) => String.fromCharCode(c)),
    maxLength: 6,
  })
  .filter((name) => !name.startsWith('$'));

const { value: convexValue } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    int64,
    float64,
    fc.boolean(),
    text,
    bytes,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 4 }),
  ),
}));
const indexValue: fc.Arbitrary<IndexValue> = fc.oneof(
  fc.constant(undefined),
  convexValue,
);

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** compareValues field by field, as an index compares its keys. */
function compareTuples(
  a: readonly IndexValue[],
  b: readonly IndexValue[],
): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const cmp = compareValues(a[i], b[i]);
    if (cmp !== 0) return cmp;
  }
  return a.length - b.length;
}

function byteOrder(a: readonly IndexValue[], b: readonly IndexValue[]): number {
  return sign(Buffer.compare(encodeIndexKey(a), encodeIndexKey(b)));
}

const runs = { numRuns: 3000 };

describe('encodeIndexKey() orders bytes as compareValues orders values', () => {
  test('for any two values', () => {
    fc.assert(
      fc.property(indexValue, indexValue, (a, b) => {
        expect(byteOrder([a], [b])).toBe(sign(compareValues(a, b)));
      }),
      runs,
    );
  });

  // Random pairs mostly differ by type; these stay within one type.
  const sameType: [string, fc.Arbitrary<Value>][] = [
    ['int64', int64],
    ['float64', float64],
    ['string', text],
    ['bytes', bytes],
    [
      'array',
      fc.array(
        fc.oneof(
          fc.integer({ min: -2, max: 2 }).map(BigInt),
          fc.constantFrom('', 'a', 'b'),
        ),
        { maxLength: 4 },
      ),
    ],
    [
      'object',
      fc.dictionary(
        fc.constantFrom('a', 'b', 'c', 'ab'),
        fc.constantFrom<Value>(null, 1n, 'x', 0, -0),
        { maxKeys: 3 },
      ),
    ],
  ];
  for (const [name, arbitrary] of sameType) {
    test(`for two values of type ${name}`, () => {
      fc.assert(
        fc.property(arbitrary, arbitrary, (a, b) => {
          expect(byteOrder([a], [b])).toBe(sign(compareValues(a, b)));
        }),
        runs,
      );
    });
  }

  test('for tuples, field by field, with missing fields first', () => {
    const tuple = fc.array(indexValue, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        expect(byteOrder(a, b)).toBe(sign(compareTuples(a, b)));
      }),
      runs,
    );
  });

  test('for the edges the notes call out', () => {
    const ascending: IndexValue[] = [
      undefined,
      null,
      -(2n ** 63n),
      -1n,
      0n,
      2n ** 63n - 1n,
      -Infinity,
      -1.5,
      -0,
      0,
      Number.MIN_VALUE,
      Infinity,
      NaN,
      false,
      true,
      '',
      '\u0000',
      'A',
      'a',
      'é',
      '\uffff',
      '😀', // UTF-8 order puts astral characters after U+FFFF, unlike UTF-16
      new ArrayBuffer(0),
      new Uint8Array([0]).buffer,
      new Uint8Array([0, 0]).buffer,
      new Uint8Array([1]).buffer,
      [],
      [null],
      [null, null],
      [0n],
      {},
      { a: null },
      { a: 1n },
      { a: 1n, b: null },
      { b: null },
    ];
    for (let i = 1; i < ascending.length; i++) {
      expect(sign(compareValues(ascending[i - 1], ascending[i])), `${i}`).toBe(
        -1,
      );
      expect(byteOrder([ascending[i - 1]], [ascending[i]]), `${i}`).toBe(-1);
    }
  });
});

describe('decodeIndexKey()', () => {
  test('gives back the tuple that was encoded', () => {
    fc.assert(
      fc.property(fc.array(indexValue, { maxLength: 4 }), (tuple) => {
        const decoded = decodeIndexKey(encodeIndexKey(tuple));
        expect(decoded).toHaveLength(tuple.length);
        expect(compareTuples(decoded, tuple)).toBe(0);
        expect(encodeIndexKey(decoded).equals(encodeIndexKey(tuple))).toBe(
          true,
        );
      }),
      runs,
    );
  });

  test('refuses bytes that are not a key', () => {
    expect(() => decodeIndexKey(new Uint8Array([0x03, 1, 2]))).toThrow(
      /truncated key/,
    );
    expect(() => decodeIndexKey(new Uint8Array([0x7f]))).toThrow(/tag 127/);
    expect(() => decodeIndexKey(new Uint8Array([0x09, 0x01, 0x00]))).toThrow(
      /undefined inside a value/,
    );
  });
});

test('encodeIndexKey() refuses an int64 out of range', () => {
  expect(() => encodeIndexKey([2n ** 63n])).toThrow(RangeError);
});

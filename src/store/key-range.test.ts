import { compareValues } from 'convex/values';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { type IndexValue, encodeIndexKey } from './index-key.ts';
import {
  type RangeSpec,
  contains,
  rangeInterval,
  resumeAfter,
  successor,
} from './key-range.ts';

// A small domain, so that equalities and bounds actually hit.
const small = fc.constantFrom<IndexValue>(
  undefined,
  null,
  0n,
  1n,
  -1.5,
  1.5,
  'a',
  'ab',
  'b',
  false,
  true,
  [],
  [0n],
  {},
);
const bound = fc.option(fc.record({ value: small, inclusive: fc.boolean() }), {
  nil: undefined,
});
const spec: fc.Arbitrary<RangeSpec> = fc.record({
  eq: fc.array(small, { maxLength: 2 }),
  lower: bound,
  upper: bound,
});
const key = fc.tuple(small, small, small, fc.string({ maxLength: 3 }));

/** The range's meaning, written with compareValues alone. */
function inRange(range: RangeSpec, tuple: readonly IndexValue[]): boolean {
  const prefixMatches = range.eq.every(
    (value, i) => compareValues(tuple[i], value) === 0,
  );
  const next = tuple[range.eq.length];
  const aboveLower =
    !range.lower ||
    (range.lower.inclusive
      ? compareValues(next, range.lower.value) >= 0
      : compareValues(next, range.lower.value) > 0);
  const belowUpper =
    !range.upper ||
    (range.upper.inclusive
      ? compareValues(next, range.upper.value) <= 0
      : compareValues(next, range.upper.value) < 0);
  return prefixMatches && aboveLower && belowUpper;
}

test('rangeInterval() holds exactly the keys the range means', () => {
  fc.assert(
    fc.property(spec, key, (range, tuple) => {
      expect(contains(rangeInterval(range), encodeIndexKey(tuple))).toBe(
        inRange(range, tuple),
      );
    }),
    { numRuns: 5000 },
  );
});

test('successor() is above the key and below every key above it', () => {
  fc.assert(
    fc.property(key, key, (a, b) => {
      const ka = encodeIndexKey(a);
      const kb = encodeIndexKey(b);
      expect(Buffer.compare(successor(ka), ka)).toBe(1);
      if (Buffer.compare(kb, ka) > 0)
        expect(Buffer.compare(successor(ka), kb)).toBeLessThanOrEqual(0);
    }),
    { numRuns: 2000 },
  );
});

test('resumeAfter() keeps what lies beyond the cursor in the scan order', () => {
  fc.assert(
    fc.property(spec, key, key, (range, cursor, tuple) => {
      const interval = rangeInterval(range);
      const after = encodeIndexKey(cursor);
      const k = encodeIndexKey(tuple);
      const asc = contains(interval, k) && Buffer.compare(k, after) > 0;
      const desc = contains(interval, k) && Buffer.compare(k, after) < 0;
      expect(contains(resumeAfter(interval, after, 'asc'), k)).toBe(asc);
      expect(contains(resumeAfter(interval, after, 'desc'), k)).toBe(desc);
    }),
    { numRuns: 3000 },
  );
});

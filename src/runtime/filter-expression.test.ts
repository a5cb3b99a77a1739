import { expect, test } from 'vitest';
import { type FilterExpression, passesFilter } from './filter-expression.ts';

const field = (path: string): FilterExpression => ({ $field: path });
const lit = (value: unknown): FilterExpression => ({
  $literal: value as never,
});
const int = (n: bigint): FilterExpression =>
  lit({
    $integer: Buffer.from(new BigInt64Array([n]).buffer).toString('base64'),
  });

test('comparisons use the Convex value order, with missing fields as undefined', () => {
  const d = { n: 5, name: 'ada', nested: { x: 1 } };
  expect(passesFilter({ $eq: [field('name'), lit('ada')] }, d)).toBe(true);
  expect(passesFilter({ $gt: [field('name'), lit(5)] }, d)).toBe(true); // strings sort after numbers
  expect(
    passesFilter({ $eq: [field('missing'), lit({ $undefined: null })] }, d),
  ).toBe(true);
  expect(passesFilter({ $eq: [field('missing'), lit(null)] }, d)).toBe(false);
  expect(passesFilter({ $lt: [field('missing'), lit(null)] }, d)).toBe(true);
  expect(passesFilter({ $eq: [field('nested.x'), lit(1)] }, d)).toBe(true);
});

test('arithmetic only on two int64s or two float64s; int64 wraps; division by zero fails', () => {
  const d = { n: 5, i: 7n };
  expect(
    passesFilter({ $eq: [{ $add: [field('n'), lit(1)] }, lit(6)] }, d),
  ).toBe(true);
  expect(
    passesFilter({ $eq: [{ $mod: [field('i'), int(4n)] }, int(3n)] }, d),
  ).toBe(true);
  expect(
    passesFilter(
      { $eq: [{ $add: [int(2n ** 63n - 1n), int(1n)] }, int(-(2n ** 63n))] },
      d,
    ),
  ).toBe(true);
  expect(() => passesFilter({ $add: [field('n'), field('i')] }, d)).toThrow(
    'Cannot add 5 (type float64) and 7 (type int64)',
  );
  expect(() => passesFilter({ $div: [field('i'), int(0n)] }, d)).toThrow(
    'Cannot divide 7 by zero',
  );
  expect(passesFilter({ $eq: [{ $neg: field('n') }, lit(-5)] }, d)).toBe(true);
});

test('and, or and not take booleans only, and only true passes', () => {
  const d = { t: true, s: 'x' };
  expect(passesFilter({ $and: [field('t'), { $not: lit(false) }] }, d)).toBe(
    true,
  );
  expect(passesFilter({ $or: [lit(false), field('t')] }, d)).toBe(true);
  expect(() => passesFilter({ $and: [field('s')] }, d)).toThrow(
    'Cannot use "x" (type string) as a boolean',
  );
  expect(passesFilter(field('s'), d)).toBe(false);
  expect(passesFilter(lit(true), d)).toBe(true);
});

/**
 * The values differential runs draw from: small pools, so that index keys
 * tie and ranges cut through them, spanning Convex's value order (every
 * type, -0, NaN, infinities, strings whose UTF-8 and UTF-16 orders differ),
 * and the differential app's indexes by table.
 */
import type { Value } from 'convex/values';

export type TableName = 'items' | 'notes';

function bytes(...values: number[]): ArrayBuffer {
  return new Uint8Array(values).buffer;
}

/** `n` is compared with `<` in filters: finite, never -0 or NaN. */
export const numbers = [-1e9, -2.5, -1, 0, 0.5, 1, 2, 3, 7, 1e9];
/** The last two order differently in UTF-8 (Convex) and UTF-16 (JavaScript). */
export const strings = [
  '',
  'a',
  'ab',
  'b',
  'B',
  'é',
  'zz',
  '\u{1F600}',
  '\uFFFD',
];
/** String literals in filter comparisons: below U+D800, where both orders agree. */
export const comparableStrings = ['', 'a', 'ab', 'b', 'B', 'é', 'zz'];
export const tags = [undefined, 'x', 'y', 'z'];
export const bigs = [undefined, -(2n ** 62n), -5n, 0n, 3n, 2n ** 62n];
export const mixed: (Value | undefined)[] = [
  undefined,
  null,
  -(2n ** 63n),
  -1n,
  0n,
  5n,
  Number.NEGATIVE_INFINITY,
  -1.5,
  -0,
  0,
  1,
  1.5,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  false,
  true,
  '',
  'a',
  'b',
  '\u{1F600}',
  '\uFFFD',
  bytes(),
  bytes(0),
  bytes(0, 255),
  bytes(1),
  [],
  [1],
  [1, 2],
  [1n],
  ['a'],
  [null],
  {},
  { a: 1 },
  { a: 1, b: 2 },
  { b: 0 },
  { a: 'x' },
];
export const owners = ['ann', 'bob', 'cy'];
export const ranks = [
  Number.NEGATIVE_INFINITY,
  -1,
  -0,
  0,
  1,
  2.5,
  Number.POSITIVE_INFINITY,
  Number.NaN,
];
export const labels = [undefined, 'p', 'q'];
export const flags = [true, false, null];

/** Bounds of other types than a field holds: they select all of it or none. */
export const foreignBounds: (Value | undefined)[] = [
  undefined,
  null,
  0n,
  1,
  'a',
  true,
];

export const pools: Record<string, readonly (Value | undefined)[]> = {
  n: numbers,
  s: strings,
  tag: tags,
  big: bigs,
  mixed,
  owner: owners,
  'meta.rank': [undefined, ...ranks],
  flag: flags,
};

export const indexes: Record<TableName, Record<string, string[]>> = {
  items: {
    by_n: ['n'],
    by_tag_n: ['tag', 'n'],
    by_s_big_n: ['s', 'big', 'n'],
    by_mixed: ['mixed'],
    by_mixed_tag: ['mixed', 'tag'],
  },
  notes: { by_owner_rank: ['owner', 'meta.rank'], by_flag: ['flag'] },
};

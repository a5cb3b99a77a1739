import { convexToJson } from 'convex/values';
import { expect, test } from 'vitest';
import { encodedValue, sameValue } from './encoded-value.ts';

const asText = (encoded: string | Uint8Array) =>
  typeof encoded === 'string' ? encoded : Buffer.from(encoded).toString('utf8');

/** A result long enough to be worth keeping: a page of documents. */
const page = () =>
  Array.from({ length: 10 }, (_, i) => ({
    _id: `doc${i}`,
    n: BigInt(i),
    body: 'ünïcødé "quoted"',
  }));

test('a long result is encoded once: every frame that carries it gets the same bytes', () => {
  const result = page();
  const first = encodedValue(result);
  expect(first).toBeInstanceOf(Uint8Array);
  expect(asText(first)).toBe(JSON.stringify(convexToJson(result)));
  // A second session asking for the same result object gets the same bytes, not a copy.
  expect(encodedValue(result)).toBe(first);
  // An equal result computed afresh is another object: it is encoded on its own.
  expect(encodedValue(page())).not.toBe(first);
});

test('a short result, and any primitive, is given as text each time: keeping it would cost more than it weighs', () => {
  const short = { a: 1, logLines: [] };
  expect(encodedValue(short)).toBe('{"a":1,"logLines":[]}');
  expect(encodedValue([])).toBe('[]');
  for (const value of [null, true, 1.5, -0, NaN, 7n, 'a "b"\n'])
    expect(encodedValue(value)).toBe(JSON.stringify(convexToJson(value)));
});

test('sameValue() says whether a client holding one value would see a change in the other', () => {
  const docs = [{ a: 1 }, { b: [2n] }];
  expect(sameValue(docs, docs)).toBe(true);
  // Rerun, the same query may return equal content in new objects: no change.
  expect(sameValue(docs, [{ a: 1 }, { b: [2n] }])).toBe(true);
  expect(sameValue(page(), page())).toBe(true);
  expect(sameValue({ x: 1, y: 2 }, { y: 2, x: 1 })).toBe(true);
  expect(sameValue(docs, [{ a: 1 }, { b: [3n] }])).toBe(false);
  const changed = page();
  changed[9] = { _id: 'doc9', n: 10n, body: 'ünïcødé "quoted"' };
  expect(sameValue(page(), changed)).toBe(false);
  // Primitives as their encodings compare them.
  expect(sameValue(NaN, NaN)).toBe(true);
  expect(sameValue(0, -0)).toBe(false);
  expect(sameValue(1, 1n)).toBe(false);
  expect(sameValue('1', 1)).toBe(false);
  expect(sameValue(null, {})).toBe(false);
  expect(sameValue({}, null)).toBe(false);
  expect(
    sameValue(new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]).buffer),
  ).toBe(true);
});

import { convexToJson } from 'convex/values';
import { expect, test } from 'vitest';
import { encodedValue, sameValue } from './encoded-value.ts';

const asText = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

test('a value object is encoded once: every frame that carries it gets the same bytes', () => {
  const result = [{ _id: 'a', n: 1n, body: 'ünïcødé "quoted"' }];
  const first = encodedValue(result);
  expect(asText(first)).toBe(JSON.stringify(convexToJson(result)));
  // A second session asking for the same result object gets the same bytes, not a copy.
  expect(encodedValue(result)).toBe(first);
  // An equal result computed afresh is another object: it is encoded on its own.
  expect(encodedValue([{ ...result[0] }])).not.toBe(first);
});

test('primitives are encoded each time, the same way', () => {
  for (const value of [null, true, 1.5, -0, NaN, 7n, 'a "b"\n'])
    expect(asText(encodedValue(value))).toBe(
      JSON.stringify(convexToJson(value)),
    );
});

test('sameValue() says whether a client holding one value would see a change in the other', () => {
  const docs = [{ a: 1 }, { b: [2n] }];
  expect(sameValue(docs, docs)).toBe(true);
  // Rerun, the same query may return equal content in new objects: no change.
  expect(sameValue(docs, [{ a: 1 }, { b: [2n] }])).toBe(true);
  expect(sameValue({ x: 1, y: 2 }, { y: 2, x: 1 })).toBe(true);
  expect(sameValue(docs, [{ a: 1 }, { b: [3n] }])).toBe(false);
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

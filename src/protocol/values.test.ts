import { expect, test } from 'vitest';
import type { ConvexValue } from '../../generated/types.ts';
import { decodeValue, encodeValue } from './values.ts';

test('values cross the wire through convex/values: int64s, bytes, nesting', () => {
  const json = JSON.parse(
    '{"n":{"$integer":"BQAAAAAAAAA="},"list":[1,"a",null],"bytes":{"$bytes":"AQI="}}',
  ) as ConvexValue;
  const value = decodeValue(json) as Record<string, unknown>;
  expect(value['n']).toBe(5n);
  expect(new Uint8Array(value['bytes'] as ArrayBuffer)).toEqual(
    new Uint8Array([1, 2]),
  );
  expect(encodeValue(decodeValue(json))).toEqual(json);
});

test('a field named __proto__ is a field, at any depth, never the prototype', () => {
  for (const text of [
    '{"__proto__":[]}',
    '{"a":1,"__proto__":{"polluted":true}}',
    '[{"deep":{"__proto__":{"$integer":"BQAAAAAAAAA="}}}]',
  ]) {
    const json = JSON.parse(text) as ConvexValue;
    const value = decodeValue(json);
    const objects = Array.isArray(value) ? value : [value];
    for (const object of objects)
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    // Back to the same JSON text: nothing lost, nothing added.
    expect(JSON.stringify(encodeValue(value))).toBe(text);
  }
  const wrapped = JSON.parse(
    '{"__proto__":{"$integer":"BQAAAAAAAAA="}}',
  ) as ConvexValue;
  expect((decodeValue(wrapped) as Record<string, unknown>)['__proto__']).toBe(
    5n,
  );
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

test('an invalid value inside an object with __proto__ is still refused', () => {
  expect(() =>
    decodeValue(
      JSON.parse('{"__proto__":1,"x":{"$float":"AA=="}}') as ConvexValue,
    ),
  ).toThrow(/expected 8 for \$float/);
});

import type { Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import { formatExportJson, parseExportJson } from './export-json.ts';

function read(text: string, mode: 'export' | 'clean' = 'export'): Value {
  const result = parseExportJson(text, mode);
  if (!result.success) throw new Error(result.error);
  return result.value;
}

describe('formatExportJson() writes what Convex writes in a snapshot', () => {
  test('an Int64 is an integer and a Float64 always shows it is one', () => {
    expect(formatExportJson(42n)).toBe('42');
    expect(formatExportJson(-(2n ** 63n))).toBe('-9223372036854775808');
    expect(formatExportJson(0)).toBe('0.0');
    expect(formatExportJson(-0)).toBe('-0.0');
    expect(formatExportJson(1.5)).toBe('1.5');
    expect(formatExportJson(1e300)).toBe('1e+300');
    expect(formatExportJson(1700000000123.25)).toBe('1700000000123.25');
  });

  test('non-finite floats and bytes take the $-encodings of convexToJson', () => {
    // convex-backend's own test: +∞ is {"$float":"AAAAAAAA8H8="}.
    expect(formatExportJson(Infinity)).toBe('{"$float":"AAAAAAAA8H8="}');
    expect(formatExportJson(new Uint8Array([0, 16, 131]).buffer)).toBe(
      '{"$bytes":"ABCD"}',
    );
  });

  test('a document is one line with its fields in order', () => {
    expect(
      formatExportJson({
        _id: 'abc',
        _creationTime: 1700000000000,
        nested: { list: [1n, 'two', null, true] },
      }),
    ).toBe(
      '{"_id":"abc","_creationTime":1700000000000.0,"nested":{"list":[1,"two",null,true]}}',
    );
  });
});

describe('parseExportJson() reads it back', () => {
  test('every kind of value survives the round trip', () => {
    const values: Value[] = [
      null,
      true,
      0n,
      -(2n ** 63n),
      2n ** 63n - 1n,
      0,
      -0,
      3,
      Math.PI,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
      NaN,
      -Infinity,
      '',
      'quote " backslash \\ newline \n tab \t nul \u0000 snowman ☃ pair 𝄞',
      new Uint8Array([1, 2, 255]).buffer,
      [[], {}, [1n, 1]],
      { a: { b: { c: [{ d: 1n }] } }, e: new Uint8Array([]).buffer },
    ];
    for (const value of values)
      expect(read(formatExportJson(value))).toEqual(value);
    expect(Object.is(read('-0.0'), -0)).toBe(true);
    expect(read('5')).toBe(5n);
    expect(read('5.0')).toBe(5);
  });

  test('an integer too big for an Int64 is a Float64, as serde_json reads it', () => {
    expect(read('9223372036854775808')).toBe(9223372036854775808);
  });

  test('an object whose first field starts with $ is convexToJson', () => {
    expect(read('{"$integer":"AQAAAAAAAAA="}')).toBe(1n);
    expect(read(' [ {"$bytes" : "AQI="} ] ')).toEqual([
      new Uint8Array([1, 2]).buffer,
    ]);
  });

  test('clean JSON, the single-table formats, has only Float64 numbers', () => {
    expect(read('{"n":5,"big":12345678901234567890}', 'clean')).toEqual({
      n: 5,
      big: Number('12345678901234567890'),
    });
    expect(read('{"$integer":"AQAAAAAAAAA="}', 'clean')).toEqual({
      $integer: 'AQAAAAAAAAA=',
    });
  });

  test('__proto__ is a field like any other', () => {
    const value = read('{"__proto__":{"polluted":true}}') as Record<
      string,
      Value
    >;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  test('text that is not one JSON value is refused with where it went wrong', () => {
    for (const [text, reason] of [
      ['{"a":1,}', /field name at position 7/],
      ['[1 2]', /expected '\]' at position 3/],
      ['"open', /unterminated string/],
      ['01', /unexpected text after the value at position 1/],
      ['tru', /unexpected word/],
      ['"a\u0001"', /invalid string/],
      ['{"$bytes":5}', /position/],
      ['[['.repeat(40), /nested more than 64 deep/],
    ] as const) {
      const result = parseExportJson(text, 'export');
      expect(result.success).toBe(false);
      if (!result.success) expect(result.error).toMatch(reason);
    }
  });
});

import { expect, test } from 'vitest';
import { exportValue, parseValueFormat } from './value-format.ts';

test('parseValueFormat() knows the two formats by their names and legacy aliases', () => {
  expect(
    ['convex_encoded_json', 'convex_json', 'json', 'convex_clean_json'].map(
      (name) => {
        const parsed = parseValueFormat(name);
        return parsed.success && parsed.format;
      },
    ),
  ).toEqual(['encoded', 'encoded', 'clean', 'clean']);
  expect(parseValueFormat('export_json')).toEqual({
    success: false,
    error: {
      status: 400,
      code: 'BadFormat',
      message: 'format param must be one of [`json`]. Got export_json',
    },
  });
});

test('exportValue() in clean JSON: int64 as decimal, bytes as base64, non-finite floats as strings', () => {
  const value = {
    big: -(2n ** 63n),
    bytes: new Uint8Array([0, 16, 131]).buffer,
    floats: [NaN, Infinity, -Infinity, 2.5, 0],
    nested: { text: 'x', flag: false, nothing: null },
  };
  expect(exportValue(value, 'clean')).toEqual({
    big: '-9223372036854775808',
    bytes: 'ABCD',
    floats: ['NaN', 'Infinity', '-Infinity', 2.5, 0],
    nested: { text: 'x', flag: false, nothing: null },
  });
});

test('exportValue() in the encoded format is the wire form', () => {
  expect(exportValue({ n: 5n, f: NaN }, 'encoded')).toEqual({
    n: { $integer: 'BQAAAAAAAAA=' },
    f: { $float: 'AAAAAAAA+H8=' },
  });
});

import { expect, test } from 'vitest';
import {
  cellText,
  editableText,
  parseFields,
  parseValue,
} from './value-text.ts';

test('a cell shows strings as themselves and other values as Convex JSON, cut to one line', () => {
  expect(cellText('ada')).toBe('ada');
  expect(cellText(3)).toBe('3');
  expect(cellText(5n)).toBe('{"$integer":"BQAAAAAAAAA="}');
  expect(cellText(null)).toBe('null');
  expect(cellText(undefined)).toBe('');
  const long = cellText('x'.repeat(200));
  expect(long).toHaveLength(80);
  expect(long.endsWith('…')).toBe(true);
});

test('what the editor shows it reads back, int64s included', () => {
  const fields = { name: 'ada', count: 5n, tags: ['a'], nested: { ok: true } };
  expect(parseFields(editableText(fields))).toEqual({ ok: true, fields });
});

test('the editor says why its text is not a document', () => {
  expect(parseFields('{oops')).toMatchObject({
    ok: false,
    message: expect.stringMatching(/^Not JSON: /) as string,
  });
  expect(parseFields('[1, 2]')).toEqual({
    ok: false,
    message: 'A document is a JSON object.',
  });
  expect(parseFields('{"$bytes": 3}')).toMatchObject({ ok: false });
});

test('a filter value is Convex JSON, an empty one null', () => {
  expect(parseValue('"ada"')).toEqual({ ok: true, json: 'ada' });
  expect(parseValue('  ')).toEqual({ ok: true, json: null });
  expect(parseValue('ada')).toMatchObject({ ok: false });
});

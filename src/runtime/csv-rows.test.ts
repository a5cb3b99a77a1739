import { describe, expect, test } from 'vitest';
import { csvRows } from './csv-rows.ts';

describe('csvRows() reads a CSV file as Convex imports one', () => {
  test('the header names the fields and each cell is a number or a string', () => {
    const result = csvRows(
      ' name , age,score\r\nAda,36,1e3\nGrace,,-0.5\n\nLinus,inf,NaN\n',
    );
    expect(result).toEqual({
      success: true,
      fields: ['name', 'age', 'score'],
      rows: [
        { name: 'Ada', age: 36, score: 1000 },
        { name: 'Grace', age: '', score: -0.5 },
        { name: 'Linus', age: Infinity, score: NaN },
      ],
    });
  });

  test('a quoted field keeps its commas, line breaks and doubled quotes; a digit string stays a number', () => {
    const result = csvRows('note,code\n"a, ""b""\nc",007\n"42",x');
    expect(result.success && result.rows).toEqual([
      { note: 'a, "b"\nc', code: 7 },
      { note: 42, code: 'x' },
    ]);
  });

  test('a row with too few or too many cells, or a broken quote, is refused', () => {
    expect(csvRows('a,b\n1\n')).toEqual({
      success: false,
      error: "CSV row 1 doesn't have all of the fields in the header",
    });
    expect(csvRows('a\n"open\n')).toMatchObject({
      success: false,
      error: expect.stringMatching(/not closed/) as unknown,
    });
    expect(csvRows('a\n"x"y\n')).toMatchObject({ success: false });
    expect(csvRows('')).toEqual({
      success: false,
      error: "CSV file doesn't have headers",
    });
  });
});

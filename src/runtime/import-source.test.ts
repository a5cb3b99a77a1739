import { zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { type ImportFormat, importSource } from './import-source.ts';

const encode = (text: string) => new TextEncoder().encode(text);

function rowsOf(bytes: Uint8Array, format: ImportFormat, table: string | null) {
  const read = importSource(bytes, format, table);
  if (!read.success) throw new Error(read.error);
  return read.source.tables.map((t) => ({
    name: t.name,
    number: t.number,
    rows: [...t.rows()].map((row) => (row.success ? row.document : row.error)),
  }));
}

function refusal(
  bytes: Uint8Array,
  format: ImportFormat,
  table: string | null,
) {
  const read = importSource(bytes, format, table);
  return read.success ? 'accepted' : read.error;
}

describe('importSource() reads the single-table formats as clean JSON', () => {
  test('JSON Lines: one object per line, numbers as Float64, blank lines skipped', () => {
    expect(
      rowsOf(encode('{"n":1,"s":"x"}\n\n{"n":2.5}\r\n'), 'jsonLines', 'things'),
    ).toEqual([
      { name: 'things', number: null, rows: [{ n: 1, s: 'x' }, { n: 2.5 }] },
    ]);
  });

  test('a row that is not JSON, or not an object, ends the rows with Convex’s message', () => {
    expect(
      rowsOf(encode('{"a":1}\n{"a":\n'), 'jsonLines', 't')[0]?.rows,
    ).toEqual([
      { a: 1 },
      "Row 2 wasn't valid JSON: unexpected character at position 5",
    ]);
    expect(rowsOf(encode('[1]\n'), 'jsonLines', 't')[0]?.rows).toEqual([
      "Row 1 wasn't an object",
    ]);
    expect(
      rowsOf(new Uint8Array([0xff, 0x0a]), 'jsonLines', 't')[0]?.rows,
    ).toEqual(["Import wasn't valid UTF8"]);
  });

  test('a JSON array: its elements are the rows; anything else is refused', () => {
    expect(
      rowsOf(encode('[{"a":1},{"b":[true]}]'), 'jsonArray', 't')[0]?.rows,
    ).toEqual([{ a: 1 }, { b: [true] }]);
    expect(refusal(encode('{"a":1}'), 'jsonArray', 't')).toBe(
      'Not a JSON array',
    );
    expect(refusal(encode('[{"a":1}'), 'jsonArray', 't')).toMatch(
      /^Not valid JSON: /,
    );
    expect(
      refusal(new Uint8Array(16 * 1024 * 1024 + 1), 'jsonArray', 't'),
    ).toBe(
      'Import is too large for JSON (16777217 bytes > maximum 16 MiB). Consider converting data to JSONLines',
    );
  });

  test('CSV rows, and table names that are refused', () => {
    expect(rowsOf(encode('a,b\n1,x\n'), 'csv', 't')[0]?.rows).toEqual([
      { a: 1, b: 'x' },
    ]);
    expect(refusal(encode('{}'), 'jsonLines', null)).toBe(
      'The `--table` option is required for format jsonLines',
    );
    expect(refusal(encode('{}'), 'jsonLines', '_secret')).toMatch(
      /isn't a valid table name/,
    );
    expect(refusal(encode('{}'), 'jsonLines', '1st')).toMatch(
      /isn't a valid table name/,
    );
  });
});

describe('importSource() reads a snapshot ZIP', () => {
  test('tables with their numbers, export JSON where the schema says uniform, clean JSON where there is none', () => {
    const zip = zipSync({
      'snapshot/README.md': encode('hello'),
      'snapshot/_tables/documents.jsonl': encode(
        '{"name":"typed","id":10005}\n{"name":"listed","id":10007}\n',
      ),
      'snapshot/typed/generated_schema.jsonl': encode('"uniform"\n'),
      'snapshot/typed/documents.jsonl': encode(
        '{"i":1,"f":1.0,"b":{"$bytes":"AQ=="}}\n',
      ),
      'snapshot/plain/documents.jsonl': encode('{"i":1}\n'),
      'snapshot/_scheduled_functions/documents.jsonl': encode('{"x":1}\n'),
    });
    expect(rowsOf(zip, 'zip', null)).toEqual([
      { name: 'listed', number: 10007, rows: [] },
      { name: 'plain', number: null, rows: [{ i: 1 }] },
      {
        name: 'typed',
        number: 10005,
        rows: [{ i: 1n, f: 1, b: new Uint8Array([1]).buffer }],
      },
    ]);
  });

  test('stored files come with their metadata, an extension on the name ignored', () => {
    const zip = zipSync({
      '_storage/documents.jsonl': encode(
        '{"_id":"abc","contentType":"text/plain"}\n',
      ),
      '_storage/abc.txt': encode('bytes'),
    });
    const read = importSource(zip, 'zip', null);
    if (!read.success) throw new Error(read.error);
    const { storage } = read.source;
    expect(
      storage?.files.map((file) => [
        file.id,
        new TextDecoder().decode(file.bytes()),
      ]),
    ).toEqual([['abc', 'bytes']]);
    expect([...(storage?.metadata() ?? [])]).toEqual([
      { success: true, document: { _id: 'abc', contentType: 'text/plain' } },
    ]);
  });

  test('what Converge cannot import is refused with the reason', () => {
    expect(refusal(encode('not a zip'), 'zip', null)).toBe('invalid zip file');
    expect(
      refusal(
        zipSync({ '_components/c/t/documents.jsonl': encode('') }),
        'zip',
        null,
      ),
    ).toMatch(/components/);
    expect(
      refusal(
        zipSync({
          't/generated_schema.jsonl': encode('"{_id: string, n: int64}"\n'),
          't/documents.jsonl': encode('{"n":"1"}\n'),
        }),
        'zip',
        null,
      ),
    ).toMatch(/^cannot parse t\/generated_schema.jsonl: .*older Convex/);
    expect(
      refusal(
        zipSync({ '_tables/documents.jsonl': encode('{"name":"t"}\n') }),
        'zip',
        null,
      ),
    ).toBe(
      "Row 1 wasn't a valid Convex value: table requires id (received none)",
    );
  });
});

/**
 * The rows of a CSV file as Convex imports them (`npx convex import --table
 * t data.csv`; convex-backend `crates/application/src/snapshot_import/
 * parse.rs`, `parse_csv_import`): the first record names the fields (each
 * trimmed of spaces), every later record is one document, and each cell is a
 * Float64 when it reads as a number and a string otherwise.
 *
 * The records are RFC 4180's: fields split by commas, records by `\n` or
 * `\r\n`, a field in double quotes may hold commas, line breaks and `""`
 * for a quote. Blank lines are skipped.
 */
import type { Value } from 'convex/values';

export type CsvRows =
  | { success: true; fields: string[]; rows: Record<string, Value>[] }
  | { success: false; error: string };

/**
 * What Rust's `f64::from_str` accepts, which decides a cell's type on
 * Convex: an optional sign, then a decimal with an optional exponent, or
 * inf, infinity or nan in any case.
 */
const FLOAT =
  /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

export function csvRows(text: string): CsvRows {
  const records = csvRecords(text);
  if (!records.success) return records;
  const [header, ...body] = records.records;
  if (!header)
    return { success: false, error: "CSV file doesn't have headers" };
  const fields = header.map((field) => field.replace(/^ +| +$/g, ''));
  const rows: Record<string, Value>[] = [];
  for (const [index, record] of body.entries()) {
    if (record.length !== fields.length)
      return {
        success: false,
        error: `CSV row ${index + 1} doesn't have all of the fields in the header`,
      };
    rows.push(
      Object.fromEntries(
        fields.map((field, i) => [field, cell(record[i] ?? '')]),
      ),
    );
  }
  return { success: true, fields, rows };
}

function cell(text: string): Value {
  if (!FLOAT.test(text)) return text;
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (/^-?inf(inity)?$/.test(lower))
    return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

function csvRecords(
  text: string,
): { success: true; records: string[][] } | { success: false; error: string } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  const endRecord = () => {
    record.push(field);
    // A blank line is no record.
    if (!(record.length === 1 && record[0] === '' && !quoted))
      records.push(record);
    record = [];
    field = '';
    quoted = false;
  };
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (inQuotes) {
      if (char === '"') {
        if (text[at + 1] === '"') {
          field += '"';
          at += 1;
        } else inQuotes = false;
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
    } else if (char === '"' && field === '' && !quoted) {
      inQuotes = true;
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
      quoted = false;
    } else if (char === '\n' || (char === '\r' && text[at + 1] === '\n')) {
      if (char === '\r') at += 1;
      endRecord();
      line += 1;
    } else if (quoted) {
      return {
        success: false,
        error: `Failed to parse CSV row at line ${line}: text after a closing quote`,
      };
    } else field += char;
  }
  if (inQuotes)
    return {
      success: false,
      error: `Failed to parse CSV row at line ${line}: a quoted field is not closed`,
    };
  if (field !== '' || quoted || record.length > 0) endRecord();
  return { success: true, records };
}

/**
 * importSource: an uploaded import file read as tables of rows, in the
 * formats `npx convex import` sends (convex-backend `crates/application/
 * src/snapshot_import/parse.rs`):
 *
 * - `zip`: a snapshot (snapshot-export.ts writes them). `<table>/
 *   documents.jsonl` holds a table's rows, in export JSON when its
 *   `generated_schema.jsonl` says `"uniform"` and in clean JSON when there is
 *   none; `_tables/documents.jsonl` gives the tables' numbers;
 *   `_storage/documents.jsonl` and `_storage/<id>[.ext]` the stored files.
 *   Entries may sit under a common folder. Other system tables are skipped;
 *   components (`_components/`) are refused, as Converge has none;
 * - `jsonLines`: one JSON object per line, `jsonArray`: one array of them
 *   (at most 16 MiB), `csv` (csv-rows.ts): one table, in clean JSON.
 *
 * Reading is lazy where it matters: a ZIP stays compressed in memory and a
 * table's entry is inflated only while its rows are read, each time they
 * are. Rows are numbered from 1 in every message, as Convex numbers them.
 */
import type { Value } from 'convex/values';
import { unzipSync } from 'fflate';
import { tableNameError } from '../store/catalog.ts';
import { csvRows } from './csv-rows.ts';
import {
  type ExportJsonMode,
  formatExportJson,
  parseExportJson,
} from './export-json.ts';
import { STORAGE_TABLE } from './stored-file-fields.ts';

export type ImportFormat = 'csv' | 'jsonLines' | 'jsonArray' | 'zip';

export type ImportRow =
  | { success: true; document: Record<string, Value> }
  | { success: false; error: string };

export interface ImportTable {
  name: string;
  /** The table's number where it was exported (`_tables/documents.jsonl`), or null. */
  number: number | null;
  /** Its rows, read anew on every call. */
  rows(): Iterable<ImportRow>;
}

export interface ImportStoredFile {
  /** The `_storage` id the file had, and keeps. */
  id: string;
  bytes(): Uint8Array;
}

export interface ImportSource {
  tables: ImportTable[];
  /** The stored files of a ZIP that has `_storage/` entries, else null. */
  storage: {
    /** `_storage/documents.jsonl`: each file's `_id`, `_creationTime`, `sha256`, `contentType`… */
    metadata(): Iterable<ImportRow>;
    files: ImportStoredFile[];
  } | null;
}

export type ImportSourceResult =
  { success: true; source: ImportSource } | { success: false; error: string };

/** Convex's limit on a JSON array import, its per-transaction write limit. */
export const MAX_JSON_ARRAY_BYTES = 16 * 1024 * 1024;

const DOCUMENTS = /^(.*\/)?([^/]+)\/documents\.jsonl$/;
const GENERATED_SCHEMA = /^(.*\/)?([^/]+)\/generated_schema\.jsonl$/;
const STORED_FILE = /^(.*\/)?_storage\/([^/.]+)(?:\.[^/]+)?$/;
const TABLES = '_tables';

export function importSource(
  bytes: Uint8Array,
  format: ImportFormat,
  table: string | null,
): ImportSourceResult {
  if (format === 'zip') return zipSource(bytes);
  if (table === null)
    return {
      success: false,
      error: `The \`--table\` option is required for format ${format}`,
    };
  const problem = tableNameError(table);
  if (problem || table.startsWith('_'))
    return {
      success: false,
      error: `"${table}" isn't a valid table name: ${problem ?? 'it starts with _'}`,
    };
  switch (format) {
    case 'jsonLines':
      return single(table, () => jsonLines(bytes, 'clean'));
    case 'jsonArray':
      return jsonArray(table, bytes);
    case 'csv': {
      const text = utf8(bytes);
      if (!text.success) return text;
      const parsed = csvRows(text.text);
      if (!parsed.success) return parsed;
      const rows = parsed.rows.map((document): ImportRow => ({
        success: true,
        document,
      }));
      return single(table, () => rows);
    }
  }
}

function single(
  name: string,
  rows: () => Iterable<ImportRow>,
): ImportSourceResult {
  return {
    success: true,
    source: { tables: [{ name, number: null, rows }], storage: null },
  };
}

function jsonArray(table: string, bytes: Uint8Array): ImportSourceResult {
  if (bytes.byteLength > MAX_JSON_ARRAY_BYTES)
    return {
      success: false,
      error: `Import is too large for JSON (${bytes.byteLength} bytes > maximum 16 MiB). Consider converting data to JSONLines`,
    };
  const text = utf8(bytes);
  if (!text.success) return text;
  const parsed = parseExportJson(text.text, 'clean');
  if (!parsed.success)
    return { success: false, error: `Not valid JSON: ${parsed.error}` };
  if (!Array.isArray(parsed.value))
    return { success: false, error: 'Not a JSON array' };
  const rows = parsed.value.map((value, i) => objectRow(value, i + 1));
  return single(table, () => rows);
}

function zipSource(bytes: Uint8Array): ImportSourceResult {
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        names.push(file.name);
        return false;
      },
    });
  } catch {
    return { success: false, error: 'invalid zip file' };
  }
  const entry = (name: string): Uint8Array =>
    unzipSync(bytes, { filter: (file) => file.name === name })[name] ??
    new Uint8Array(0);

  const documents = new Map<string, string>();
  const schemas = new Map<string, string>();
  const files: ImportStoredFile[] = [];
  for (const name of names) {
    if (/(^|\/)_components\//.test(name))
      return {
        success: false,
        error: `The snapshot has data of components (${name}); Converge has no components to import it into.`,
      };
    const document = DOCUMENTS.exec(name);
    const schema = GENERATED_SCHEMA.exec(name);
    const file = STORED_FILE.exec(name);
    if (document?.[2] !== undefined) documents.set(document[2], name);
    else if (schema?.[2] !== undefined) schemas.set(schema[2], name);
    else if (file?.[2] !== undefined)
      files.push({ id: file[2], bytes: () => entry(name) });
  }

  const numbers = new Map<string, number>();
  const tablesEntry = documents.get(TABLES);
  if (tablesEntry !== undefined) {
    let row = 0;
    for (const line of jsonLines(entry(tablesEntry), 'clean')) {
      row += 1;
      if (!line.success) return line;
      const { name, id } = line.document;
      if (typeof name !== 'string')
        return invalidRow(row, 'table requires name');
      if (typeof id !== 'number' || !Number.isInteger(id))
        return invalidRow(
          row,
          `table requires id (received ${id === undefined ? 'none' : formatExportJson(id)})`,
        );
      numbers.set(name, id);
    }
  }

  const tables: ImportTable[] = [];
  const tableNames = new Set([...documents.keys(), ...numbers.keys()]);
  for (const name of [...tableNames].sort()) {
    if (name.startsWith('_')) continue;
    const problem = tableNameError(name);
    if (problem)
      return {
        success: false,
        error: `table name '${name}' invalid: ${problem}`,
      };
    const schemaEntry = schemas.get(name);
    let mode: ExportJsonMode = 'clean';
    if (schemaEntry !== undefined) {
      const first = new TextDecoder()
        .decode(entry(schemaEntry))
        .split('\n')[0]
        ?.trim();
      if (first !== '"uniform"')
        return {
          success: false,
          error: `cannot parse ${schemaEntry}: the snapshot comes from an older Convex, whose generated schemas Converge does not read. Export it again from an up-to-date Convex deployment.`,
        };
      mode = 'export';
    }
    const documentsEntry = documents.get(name);
    tables.push({
      name,
      number: numbers.get(name) ?? null,
      rows: () =>
        documentsEntry === undefined
          ? []
          : jsonLines(entry(documentsEntry), mode),
    });
  }
  const metadataEntry = documents.get(STORAGE_TABLE);
  const storage =
    files.length > 0 || metadataEntry !== undefined
      ? {
          metadata: () =>
            metadataEntry === undefined
              ? []
              : jsonLines(entry(metadataEntry), 'clean'),
          files,
        }
      : null;
  return { success: true, source: { tables, storage } };
}

/** The rows of JSON Lines: each non-blank line one object. */
function* jsonLines(
  bytes: Uint8Array,
  mode: ExportJsonMode,
): Generator<ImportRow> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let row = 0;
  while (start < bytes.byteLength) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.byteLength;
    let line: string;
    try {
      line = decoder.decode(bytes.subarray(start, end));
    } catch {
      yield { success: false, error: "Import wasn't valid UTF8" };
      return;
    }
    start = end + 1;
    if (line.trim() === '') continue;
    row += 1;
    const parsed = parseExportJson(line, mode);
    if (!parsed.success) {
      yield {
        success: false,
        error: `Row ${row} wasn't valid JSON: ${parsed.error}`,
      };
      return;
    }
    yield objectRow(parsed.value, row);
  }
}

function objectRow(value: Value, row: number): ImportRow {
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof ArrayBuffer
  )
    return { success: false, error: `Row ${row} wasn't an object` };
  return { success: true, document: value as Record<string, Value> };
}

function invalidRow(
  row: number,
  reason: string,
): { success: false; error: string } {
  return {
    success: false,
    error: `Row ${row} wasn't a valid Convex value: ${reason}`,
  };
}

function utf8(
  bytes: Uint8Array,
): { success: true; text: string } | { success: false; error: string } {
  try {
    return {
      success: true,
      text: new TextDecoder('utf-8', { fatal: true }).decode(bytes),
    };
  } catch {
    return { success: false, error: "Import wasn't valid UTF8" };
  }
}

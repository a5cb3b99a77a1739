/**
 * exportSnapshot: every user table at one snapshot, written as the ZIP that
 * `npx convex export` downloads and `npx convex import` reads back, in the
 * layout of Convex's own (convex-backend `crates/application/src/exports/`):
 *
 * - `README.md`;
 * - `_tables/documents.jsonl`: `{"name", "id"}` per user table, by number,
 *   so an import recreates each table with the number its ids carry;
 * - `<table>/generated_schema.jsonl`: `"uniform"`, saying the documents
 *   are in export JSON (export-json.ts);
 * - `<table>/documents.jsonl`: one document per line, in `_id` order;
 * - with the stored files: `_storage/documents.jsonl` (`_id`,
 *   `_creationTime`, `sha256`, `size`, `contentType`, `internalId` each)
 *   and each file's bytes at `_storage/<id>`.
 *
 * System tables other than `_storage` are not exported, as on Convex.
 *
 * Every page is read by a transaction of its own at the same snapshot
 * (table-pages.ts), so a table of any size fits Convex's per-transaction
 * read limits.
 */
import type { FileStorage } from '../store/file-storage.ts';
import type { Document, DocumentStore, Timestamp } from '../store/store.ts';
import { formatExportJson } from './export-json.ts';
import { STORAGE_TABLE } from './stored-file-fields.ts';
import { tablePages } from './table-pages.ts';
import { ZipFileWriter } from './zip-file-writer.ts';

export interface SnapshotExportOptions {
  /** The snapshot to export. */
  ts: Timestamp;
  /** Where the archive is written. */
  path: string;
  /** The stored files' bytes, when the export includes them; null leaves them out. */
  files: FileStorage | null;
  /** Asked between pages: true stops the export. */
  stopped?: () => boolean;
}

export type SnapshotExportResult =
  { success: true } | { success: false; error: string };

const README = `# A snapshot export of a Convex deployment

This ZIP holds every table of the deployment as it was at one moment.
Each table's documents are lines of JSON in <table>/documents.jsonl, and
_tables/documents.jsonl lists the tables with their numbers.

Restore it with \`npx convex import <this file>.zip\` (add \`--replace\` to
overwrite tables that have data). See
https://docs.convex.dev/database/import-export/ for the format and its uses.
`;

export async function exportSnapshot(
  store: DocumentStore,
  options: SnapshotExportOptions,
): Promise<SnapshotExportResult> {
  const zip = await ZipFileWriter.create(options.path);
  try {
    const outcome = await writeTables(store, zip, options);
    if (!outcome.success) {
      await zip.abort();
      return outcome;
    }
    await zip.close();
    return outcome;
  } catch (error) {
    await zip.abort();
    if (error instanceof ExportStopped) return stoppedResult();
    throw error;
  }
}

async function writeTables(
  store: DocumentStore,
  zip: ZipFileWriter,
  options: SnapshotExportOptions,
): Promise<SnapshotExportResult> {
  const tx = await store.begin({ ts: options.ts });
  const tables = tx
    .tableNames()
    .filter((name) => !name.startsWith('_'))
    .map((name) => ({ name, number: tx.tableNumber(name) ?? 0 }))
    .sort((a, b) => a.number - b.number);
  await zip.add('README.md', README);
  await zip.add(
    '_tables/documents.jsonl',
    tables
      .map(
        (table) =>
          `${JSON.stringify({ name: table.name, id: table.number })}\n`,
      )
      .join(''),
  );
  for (const { name } of tables) {
    await zip.add(`${name}/generated_schema.jsonl`, '"uniform"\n');
    const entry = zip.entry(`${name}/documents.jsonl`);
    for await (const page of pages(store, name, options)) {
      if (page.length > 0)
        await entry.write(page.map((d) => `${formatExportJson(d)}\n`).join(''));
    }
    await entry.end();
  }
  if (options.files) return writeStorage(store, zip, options, options.files);
  return { success: true };
}

async function writeStorage(
  store: DocumentStore,
  zip: ZipFileWriter,
  options: SnapshotExportOptions,
  files: FileStorage,
): Promise<SnapshotExportResult> {
  const stored: Document[] = [];
  const metadata = zip.entry(`${STORAGE_TABLE}/documents.jsonl`);
  for await (const page of pages(store, STORAGE_TABLE, options)) {
    stored.push(...page);
    await metadata.write(
      page.map((file) => `${JSON.stringify(storageMetadata(file))}\n`).join(''),
    );
  }
  await metadata.end();
  for (const file of stored) {
    if (options.stopped?.()) return stoppedResult();
    const bytes = await files.read(file._id);
    if (!bytes)
      return {
        success: false,
        error: `file missing from storage: ${file._id}`,
      };
    await zip.add(`${STORAGE_TABLE}/${file._id}`, bytes);
  }
  return { success: true };
}

/** A `_storage` document as Convex lists it in a snapshot (`FileStorageZipMetadata`). */
function storageMetadata(file: Document): Record<string, unknown> {
  const contentType = file['contentType'];
  return {
    _id: file._id,
    _creationTime: file._creationTime,
    sha256: file['sha256'] ?? null,
    size:
      typeof file['size'] === 'bigint'
        ? Number(file['size'])
        : (file['size'] ?? null),
    contentType: typeof contentType === 'string' ? contentType : null,
    // Convex names the bytes by a UUID of their own; here they are named by the id.
    internalId: file._id,
  };
}

/** The table's documents at the snapshot, in `_id` order (as Convex writes them), a page at a time. */
async function* pages(
  store: DocumentStore,
  table: string,
  options: SnapshotExportOptions,
): AsyncGenerator<Document[]> {
  for await (const page of tablePages(store, table, {
    ts: options.ts,
    index: 'by_id',
  })) {
    if (options.stopped?.()) throw new ExportStopped();
    yield page.documents;
  }
}

class ExportStopped extends Error {}

function stoppedResult(): SnapshotExportResult {
  return { success: false, error: 'The server stopped during the export.' };
}

/**
 * importSummary: what an import will do, worked out before the user
 * confirms it, as Convex does (convex-backend `crates/application/src/
 * snapshot_import/confirmation.rs`, `table_change.rs`): every row is read
 * and counted, a `requireEmpty` import into a table with documents is
 * refused with Convex's message, and the change is summed up in Convex's
 * table (`table | create | delete`), to be confirmed by hand when it
 * deletes anything.
 *
 * Also the modes (snapshot-import.ts writes them) and what both halves
 * read of the store's tables.
 */
import type { DocumentStore } from '../store/store.ts';
import { STORAGE_TABLE } from './stored-file-fields.ts';
import type { ImportSource } from './import-source.ts';
import { tablePages } from './table-pages.ts';

/**
 * `requireEmpty` (the default) refuses tables with documents, `append` adds
 * to them, `replace` empties the tables the import names first,
 * `replaceAll` every user table.
 */
export type ImportMode = 'requireEmpty' | 'append' | 'replace' | 'replaceAll';

export type ImportSummary =
  | { success: true; message: string; requireManualConfirmation: boolean }
  | { success: false; error: string };

export async function importSummary(
  store: DocumentStore,
  source: ImportSource,
  mode: ImportMode,
): Promise<ImportSummary> {
  const changes = new Map<
    string,
    { added: number; existing: number; unit: string }
  >();
  for (const table of source.tables) {
    let added = 0;
    for (const row of table.rows()) {
      if (!row.success) return row;
      added += 1;
    }
    changes.set(table.name, {
      added,
      existing: await countDocuments(store, table.name),
      unit: '',
    });
  }
  if (source.storage) {
    let added = 0;
    for (const row of source.storage.metadata()) {
      if (!row.success) return row;
      added += 1;
    }
    changes.set(STORAGE_TABLE, {
      added,
      existing: await countDocuments(store, STORAGE_TABLE),
      unit: ' files',
    });
  }
  if (mode === 'replaceAll')
    for (const name of await userTables(store))
      if (!changes.has(name))
        changes.set(name, {
          added: 0,
          existing: await countDocuments(store, name),
          unit: '',
        });
  const rows: [string, string, string][] = [['table', 'create', 'delete']];
  let deletes = false;
  for (const name of [...changes.keys()].sort()) {
    const change = changes.get(name);
    if (!change) continue;
    if (mode === 'requireEmpty' && change.existing > 0)
      return tableExists(name);
    const deleted =
      mode === 'replace' || mode === 'replaceAll' ? change.existing : 0;
    deletes ||= deleted > 0;
    rows.push([
      name,
      thousands(change.added),
      `${thousands(deleted)} of ${thousands(change.existing)}${change.unit}`,
    ]);
  }
  return {
    success: true,
    message: [
      'Import change summary:',
      ...changeTable(rows),
      'Once the import has started, it will run in the background.\nInterrupting `npx convex import` will not cancel it.',
    ].join('\n'),
    requireManualConfirmation: deletes,
  };
}

/** The user tables now. */
export async function userTables(store: DocumentStore): Promise<string[]> {
  return (await store.begin())
    .tableNames()
    .filter((name) => !name.startsWith('_'));
}

export async function countDocuments(
  store: DocumentStore,
  table: string,
): Promise<number> {
  let count = 0;
  for await (const page of tablePages(store, table, { index: 'by_id' }))
    count += page.documents.length;
  return count;
}

/** Convex's refusal of a `requireEmpty` import into a table with documents. */
export function tableExists(name: string): {
  success: false;
  error: string;
} {
  return {
    success: false,
    error: `Table ${name} already exists. Please choose a new table name or use replace/append modes.`,
  };
}

/** A count as Convex prints it: 12,345. */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** Convex's change table: columns padded to their widest cell, a rule under the header. */
function changeTable(rows: readonly [string, string, string][]): string[] {
  const width = (column: 0 | 1 | 2) =>
    Math.max(...rows.map((row) => row[column].length));
  const widths = [width(0), width(1), width(2)] as const;
  const lines = rows.map(
    (row) =>
      `${row[0].padEnd(widths[0])} | ${row[1].padEnd(widths[1])} | ${row[2].padEnd(widths[2])} |`,
  );
  lines.splice(1, 0, '-'.repeat(widths[0] + 3 + widths[1] + 3 + widths[2] + 2));
  return lines;
}

/**
 * The catalog: which tables exist, their numbers, and their indexes, with
 * Convex's rules for each (convex-runtime.md §4.4, §4.5).
 *
 * - User tables are numbered from 10001 and created by their first insert.
 * - Every table has `by_id` (`[_id]`) and `by_creation_time`
 *   (`[_creationTime, _id]`); a schema index `["a", "b"]` is stored as
 *   `[a, b, _creationTime, _id]`, so every key ends with `_id` and is unique.
 * - Index ids are derived from the table number and a slot (`number × 256 +
 *   slot`; slots 0 and 1 are the built-in indexes, 2 to 65 the at most 64
 *   schema indexes), so a table's built-in indexes are known as soon as its
 *   number is.
 * - Index 0 is the catalog's own: its keys are table names. A transaction
 *   that finds a table missing reads there, and a commit that creates a table
 *   writes there, so creating a table conflicts with (and invalidates) reads
 *   that saw it missing.
 *
 * The Catalog class is an in-memory mirror; the engines persist it.
 */
import { type IndexValue, encodeIndexKey } from './index-key.ts';
import type { Document, IndexDefinition } from './store.ts';

export const FIRST_USER_TABLE_NUMBER = 10_001;
/**
 * The system tables, with fixed numbers in the range Convex gives system
 * tables (513 and up). The runtime writes them; functions may read the first
 * two through `db.system` and write none. `_exports` and `_snapshot_imports`
 * keep the state of snapshot exports and imports, as on Convex, for the
 * CLI's system queries; `_module_sources` and `_deployed_code` keep pushed
 * code.
 */
export const SYSTEM_TABLES: ReadonlyMap<string, number> = new Map([
  ['_scheduled_functions', 513],
  ['_storage', 514],
  ['_cron_jobs', 515],
  ['_environment_variables', 516],
  ['_exports', 517],
  ['_snapshot_imports', 518],
  ['_module_sources', 519],
  ['_deployed_code', 520],
]);
export const TABLES_INDEX_ID = 0;
export const BY_ID = 'by_id';
export const BY_CREATION_TIME = 'by_creation_time';
export const MAX_INDEXES_PER_TABLE = 64;
export const MAX_INDEX_FIELDS = 16;
const SLOTS_PER_TABLE = 256;
const FIRST_SCHEMA_SLOT = 2;

export interface IndexInfo {
  id: number;
  tableNumber: number;
  name: string;
  /** The full key: declared fields, then `_creationTime` and `_id` as Convex appends them. */
  fields: readonly string[];
  /** False while a new index is being backfilled; it serves no query until then. */
  ready: boolean;
}

export interface TableInfo {
  name: string;
  number: number;
}

export function builtInIndexes(tableNumber: number): IndexInfo[] {
  return [
    {
      id: indexId(tableNumber, 0),
      tableNumber,
      name: BY_ID,
      fields: ['_id'],
      ready: true,
    },
    {
      id: indexId(tableNumber, 1),
      tableNumber,
      name: BY_CREATION_TIME,
      fields: ['_creationTime', '_id'],
      ready: true,
    },
  ];
}

export function indexId(tableNumber: number, slot: number): number {
  return tableNumber * SLOTS_PER_TABLE + slot;
}

export function tableNumberOfIndex(id: number): number {
  return Math.floor(id / SLOTS_PER_TABLE);
}

/** The key of the catalog index under which a table name is recorded. */
export function tableNameKey(name: string): Buffer {
  return encodeIndexKey([name]);
}

/** A document's key in an index: the value of each field path, `undefined` when missing. */
export function documentIndexKey(
  index: { fields: readonly string[] },
  document: Document,
): Buffer {
  return encodeIndexKey(
    index.fields.map((path) => documentField(document, path)),
  );
}

/** The value at a dotted field path of a document, `undefined` when missing. */
export function documentField(document: Document, path: string): IndexValue {
  let value: IndexValue = document;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return undefined;
    if (value instanceof ArrayBuffer) return undefined;
    value = (value as Record<string, IndexValue>)[part];
  }
  return value;
}

/** Why a table name names neither a system table nor a valid user table, or null. */
export function tableNameError(name: string): string | null {
  if (SYSTEM_TABLES.has(name)) return null;
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
    return `Table name "${name}" is invalid: table names start with a letter and contain only letters, digits and underscores, at most 64 characters.`;
  }
  return null;
}

/** Why a set of schema indexes for one table breaks Convex's rules, or null. */
export function indexDefinitionsError(
  indexes: readonly IndexDefinition[],
): string | null {
  if (indexes.length > MAX_INDEXES_PER_TABLE) {
    return `TooManyIndexes: a table may have at most ${MAX_INDEXES_PER_TABLE} indexes, got ${indexes.length}.`;
  }
  const names = new Set<string>();
  for (const { name, fields } of indexes) {
    if (name === BY_ID || name === BY_CREATION_TIME || name.startsWith('_')) {
      return `IndexNameReserved: "${name}" is a reserved index name.`;
    }
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
      return `IndexNameInvalid: "${name}" is not a valid index name.`;
    }
    if (names.has(name))
      return `IndexNameNotUnique: two indexes are named "${name}".`;
    names.add(name);
    if (fields.length === 0)
      return `IndexFieldsEmpty: index "${name}" has no fields.`;
    if (fields.length > MAX_INDEX_FIELDS) {
      return `TooManyFields: index "${name}" has ${fields.length} fields; at most ${MAX_INDEX_FIELDS} are allowed.`;
    }
    if (new Set(fields).size !== fields.length) {
      return `IndexFieldsNotUnique: index "${name}" names a field twice.`;
    }
    for (const field of fields) {
      if (field === '_id')
        return `IndexFieldsContainId: index "${name}" may not contain "_id".`;
      if (field === '_creationTime') {
        return `IndexFieldsContainCreationTime: index "${name}" may not contain "_creationTime"; it is added at the end of every index.`;
      }
      if (field.startsWith('_')) {
        return `IndexFieldNameReserved: index "${name}" names the reserved field "${field}".`;
      }
    }
  }
  return null;
}

/** The catalog as one process knows it: tables and indexes by name and id. */
export class Catalog {
  readonly #tables = new Map<string, TableInfo>();
  readonly #tablesByNumber = new Map<number, TableInfo>();
  readonly #indexes = new Map<number, IndexInfo[]>();
  /** Numbers handed to transactions creating tables not yet committed, by name. */
  readonly #reserved = new Map<string, number>();

  table(name: string): TableInfo | undefined {
    return this.#tables.get(name);
  }

  tableByNumber(tableNumber: number): TableInfo | undefined {
    return this.#tablesByNumber.get(tableNumber);
  }

  tables(): TableInfo[] {
    return [...this.#tables.values()];
  }

  /** The table's indexes, built-in ones first; ones still backfilling included. */
  indexes(tableNumber: number): readonly IndexInfo[] {
    return this.#indexes.get(tableNumber) ?? builtInIndexes(tableNumber);
  }

  index(tableNumber: number, name: string): IndexInfo | undefined {
    return this.indexes(tableNumber).find((index) => index.name === name);
  }

  indexById(id: number): IndexInfo | undefined {
    return this.indexes(tableNumberOfIndex(id)).find(
      (index) => index.id === id,
    );
  }

  /**
   * The number a table has, or will have once a transaction creating it
   * commits: the same name always gets the same number, and no two names
   * share one.
   */
  reserveTableNumber(name: string): number {
    const known =
      this.#tables.get(name)?.number ??
      SYSTEM_TABLES.get(name) ??
      this.#reserved.get(name);
    if (known !== undefined) return known;
    let next = FIRST_USER_TABLE_NUMBER;
    for (const number of this.#tablesByNumber.keys())
      next = Math.max(next, number + 1);
    for (const number of this.#reserved.values())
      next = Math.max(next, number + 1);
    this.#reserved.set(name, next);
    return next;
  }

  addTable(table: TableInfo): void {
    this.#reserved.delete(table.name);
    this.#tables.set(table.name, table);
    this.#tablesByNumber.set(table.number, table);
    if (!this.#indexes.has(table.number))
      this.#indexes.set(table.number, builtInIndexes(table.number));
  }

  setIndexes(tableNumber: number, indexes: readonly IndexInfo[]): void {
    this.#indexes.set(tableNumber, [...indexes]);
  }

  /** Schema index infos for `definitions`, keeping the slots of indexes that already exist. */
  planIndexes(
    tableNumber: number,
    definitions: readonly IndexDefinition[],
  ): IndexInfo[] {
    const current = this.indexes(tableNumber);
    const used = new Set(current.map((index) => index.id));
    let slot = FIRST_SCHEMA_SLOT;
    const nextId = (): number => {
      while (used.has(indexId(tableNumber, slot))) slot++;
      used.add(indexId(tableNumber, slot));
      return indexId(tableNumber, slot);
    };
    const planned = definitions.map((definition): IndexInfo => {
      const fields = [...definition.fields, '_creationTime', '_id'];
      const existing = current.find(
        (index) =>
          index.name === definition.name && sameFields(index.fields, fields),
      );
      return (
        existing ?? {
          id: nextId(),
          tableNumber,
          name: definition.name,
          fields,
          ready: false,
        }
      );
    });
    return [...builtInIndexes(tableNumber), ...planned];
  }
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((field, i) => field === b[i]);
}

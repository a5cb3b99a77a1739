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
 * code; `_scheduled_job_leases` says which process runs which action job.
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
  ['_scheduled_job_leases', 521],
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
  #epoch = 0;

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
   * Bumped by every renumbering: a transaction begun under an older epoch
   * may hold a table's old number, so it may not commit.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * The number a table has, or will have once a transaction creating it
   * commits: the same name always gets the same number, and no two names
   * share one. A new table gets `wanted` when it is given (a snapshot
   * import keeps the numbers of the ids it restores); a `wanted` that
   * another table holds throws.
   */
  reserveTableNumber(name: string, wanted?: number): number {
    const known =
      this.#tables.get(name)?.number ??
      SYSTEM_TABLES.get(name) ??
      this.#reserved.get(name);
    if (known !== undefined) return known;
    if (wanted !== undefined) {
      const problem = this.#numberProblem(name, wanted, new Set());
      if (problem) throw new Error(problem);
      this.#reserved.set(name, wanted);
      return wanted;
    }
    let next = FIRST_USER_TABLE_NUMBER;
    for (const number of this.#tablesByNumber.keys())
      next = Math.max(next, number + 1);
    for (const number of this.#reserved.values())
      next = Math.max(next, number + 1);
    this.#reserved.set(name, next);
    return next;
  }

  /**
   * The moves among `moves` that change a table's number, or why they
   * cannot all be made (`renumberProblem`).
   */
  renumbering(
    moves: readonly TableInfo[],
  ): { success: true; moves: TableInfo[] } | { success: false; error: string } {
    const changed = moves.filter(
      (move) => this.#tables.get(move.name)?.number !== move.number,
    );
    const problem = this.renumberProblem(changed);
    return problem
      ? { success: false, error: problem }
      : { success: true, moves: changed };
  }

  /**
   * Why the user tables named in `moves` cannot take the numbers given
   * there, or null. A number may be taken from another table that moves
   * too, so two tables can swap theirs.
   */
  renumberProblem(moves: readonly TableInfo[]): string | null {
    const moving = new Set(moves.map((move) => move.name));
    if (moving.size !== moves.length)
      return 'A table is named twice among the tables to renumber.';
    const taken = new Map<number, string>();
    for (const move of moves) {
      if (!this.#tables.has(move.name))
        return `Table "${move.name}" does not exist.`;
      if (SYSTEM_TABLES.has(move.name))
        return `System table "${move.name}" cannot be renumbered.`;
      const problem = this.#numberProblem(move.name, move.number, moving);
      if (problem) return problem;
      const other = taken.get(move.number);
      if (other !== undefined)
        return `Tables "${other}" and "${move.name}" cannot both take number ${move.number}.`;
      taken.set(move.number, move.name);
    }
    return null;
  }

  /**
   * Moves tables to new numbers (checked by `renumberProblem`), each with
   * its indexes in the same slots, and starts a new epoch.
   */
  renumber(moves: readonly TableInfo[]): void {
    const indexes = moves.map((move) => {
      const from = this.#tables.get(move.name)?.number ?? move.number;
      return this.indexes(from).map((index): IndexInfo => ({
        ...index,
        id: indexId(move.number, index.id - indexId(from, 0)),
        tableNumber: move.number,
      }));
    });
    for (const move of moves) {
      const from = this.#tables.get(move.name)?.number;
      if (from === undefined) continue;
      this.#tablesByNumber.delete(from);
      this.#indexes.delete(from);
    }
    moves.forEach((move, i) => {
      this.#tables.set(move.name, { ...move });
      this.#tablesByNumber.set(move.number, { ...move });
      this.#indexes.set(move.number, indexes[i] ?? []);
    });
    this.#epoch += 1;
  }

  /** Drops a reservation another process took the name or number of: the next one is made afresh. */
  forgetReservation(name: string): void {
    this.#reserved.delete(name);
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

  /**
   * Makes this mirror a catalog read from the database, which another
   * process may have changed: tables moved to other numbers move here too
   * (a new epoch), new tables join, and each table's indexes become the
   * stored ones.
   */
  adopt(tables: readonly TableInfo[], indexes: readonly IndexInfo[]): void {
    const moved = tables.filter((table) => {
      const known = this.#tables.get(table.name);
      return known !== undefined && known.number !== table.number;
    });
    if (moved.length > 0) this.renumber(moved);
    for (const table of tables)
      if (!this.#tables.has(table.name)) this.addTable(table);
    for (const table of tables) {
      const own = indexes.filter((index) => index.tableNumber === table.number);
      if (own.length > 0) this.setIndexes(table.number, own);
    }
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

  /** Why `name` cannot take `number`, ignoring tables in `leaving`, or null. */
  #numberProblem(
    name: string,
    number: number,
    leaving: ReadonlySet<string>,
  ): string | null {
    if (!Number.isInteger(number) || number < FIRST_USER_TABLE_NUMBER)
      return `Table "${name}" cannot have number ${number}: user tables are numbered from ${FIRST_USER_TABLE_NUMBER}.`;
    const holder = this.#tablesByNumber.get(number)?.name;
    if (holder !== undefined && holder !== name && !leaving.has(holder))
      return `Table "${name}" cannot have number ${number}: table "${holder}" has it.`;
    for (const [other, reserved] of this.#reserved)
      if (reserved === number && other !== name)
        return `Table "${name}" cannot have number ${number}: a transaction is creating table "${other}" with it.`;
    return null;
  }
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((field, i) => field === b[i]);
}

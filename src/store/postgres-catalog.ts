/**
 * The catalog as a PostgreSQL database holds it, for the processes that
 * share one: its tables and indexes, the snapshot floor, and a version that
 * every change of them bumps in the same transaction (a table created, an
 * index added or dropped, tables renumbered).
 *
 * A process keeps the version its catalog mirrors. A commit compares it,
 * under the commit lock, with the stored one: a difference means another
 * process changed the catalog since, so the commit might miss an index
 * entry or write under an old table number; it is refused as a conflict,
 * the process reads the catalog again, and the transaction runs again.
 *
 * It reads and writes rows; the store decides when (postgres.ts).
 */
import type pg from 'pg';
import type { IndexInfo, TableInfo } from './catalog.ts';
import type { Timestamp } from './store.ts';

export interface StoredCatalog {
  version: bigint;
  /** Snapshots before this cannot be read (pruned, or tables renumbered since). */
  floor: Timestamp;
  tables: TableInfo[];
  indexes: IndexInfo[];
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * The stored catalog. The version is read first, so that a change made
 * while the rest is read can only leave the version behind what was read,
 * never ahead: the next commit then finds it stale and reads again.
 */
export async function readStoredCatalog(
  client: Queryable,
  schema: string,
): Promise<StoredCatalog> {
  const meta = await client.query<{ key: string; value: string }>(
    `SELECT key, value FROM ${schema}.meta WHERE key IN ('catalog', 'floor')`,
  );
  const value = (key: string) =>
    BigInt(meta.rows.find((row) => row.key === key)?.value ?? 0);
  const tables = await client.query<TableInfo>(
    `SELECT number, name FROM ${schema}.tables ORDER BY number`,
  );
  const indexes = await client.query<{
    id: string;
    table_number: number;
    name: string;
    fields: string;
    ready: boolean;
  }>(
    `SELECT id, table_number, name, fields, ready FROM ${schema}.indexes ORDER BY id`,
  );
  return {
    version: value('catalog'),
    floor: value('floor'),
    tables: tables.rows,
    indexes: indexes.rows.map((row) => ({
      id: Number(row.id),
      tableNumber: row.table_number,
      name: row.name,
      fields: JSON.parse(row.fields) as string[],
      ready: row.ready,
    })),
  };
}

/** The stored catalog version, for a committer holding the commit lock. */
export async function storedCatalogVersion(
  client: Queryable,
  schema: string,
): Promise<bigint> {
  const { rows } = await client.query<{ value: string }>(
    `SELECT value FROM ${schema}.meta WHERE key = 'catalog'`,
  );
  return BigInt(rows[0]?.value ?? 0);
}

/** Bumps the stored catalog version inside a catalog change; returns the new one. */
export async function bumpCatalogVersion(
  client: pg.PoolClient,
  schema: string,
): Promise<bigint> {
  const { rows } = await client.query<{ value: string }>(
    `INSERT INTO ${schema}.meta (key, value) VALUES ('catalog', 1)
     ON CONFLICT (key) DO UPDATE SET value = ${schema}.meta.value + 1
     RETURNING value`,
  );
  return BigInt(rows[0]?.value ?? 1);
}

/**
 * PostgresFileStorage: the bytes of stored files in PostgreSQL, in the
 * store's schema (`<schema>.file_chunks`), so every process of a deployment
 * on one database reads the files any of them wrote. A file is its chunks,
 * numbered from 0; an empty file is one empty chunk, so a file exists
 * exactly when its chunk 0 does.
 *
 * A write replaces all of an id's chunks in one transaction, and a read
 * takes them in one repeatable-read transaction, so a reader sees a file
 * whole or not at all, even while it is written or removed.
 *
 * The storage has a pool of its own: a large file read or written holds a
 * connection for a while, and that never makes a commit of the document
 * store wait for one.
 *
 * Not here: the document store's tables (postgres.ts), which files exist
 * for Convex (`_storage`).
 */
import pg from 'pg';
import { type FileStorage, checkFileId } from './file-storage.ts';

/**
 * The most bytes in one row. PostgreSQL caps a value at 1 GB, and `pg`
 * reads a whole row into memory as text before it becomes a Buffer: rows
 * of 4 MiB keep that overhead to about 10 MiB per read in flight however
 * large the file, while a 1 GiB file is still only 256 rows (PostgreSQL
 * stores each row out of line in ~2 KB pieces anyway, so the chunk size
 * costs nothing on disk).
 */
export const FILE_CHUNK_BYTES = 4 * 1024 * 1024;

/** The advisory lock key under which processes create the table ("files" in ASCII). */
const SETUP_LOCK = 0x66696c6573;

export async function openPostgresFileStorage(
  url: string,
  schema: string,
): Promise<PostgresFileStorage> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid schema name "${schema}"`);
  const pool = new pg.Pool({ connectionString: url });
  try {
    // Two processes starting at once would both try to create the table;
    // CREATE TABLE IF NOT EXISTS is not safe against that on its own.
    await transaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.file_chunks (
           id TEXT NOT NULL, chunk INTEGER NOT NULL, bytes BYTEA NOT NULL,
           PRIMARY KEY (id, chunk))`,
      );
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresFileStorage(pool, `${schema}.file_chunks`);
}

export class PostgresFileStorage implements FileStorage {
  readonly #pool: pg.Pool;
  readonly #table: string;

  constructor(pool: pg.Pool, table: string) {
    this.#pool = pool;
    this.#table = table;
  }

  async write(id: string, bytes: Uint8Array): Promise<void> {
    checkFileId(id);
    const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    await transaction(this.#pool, async (client) => {
      await client.query(`DELETE FROM ${this.#table} WHERE id = $1`, [id]);
      let chunk = 0;
      do {
        const start = chunk * FILE_CHUNK_BYTES;
        await client.query(
          `INSERT INTO ${this.#table} (id, chunk, bytes) VALUES ($1, $2, $3)`,
          [id, chunk, whole.subarray(start, start + FILE_CHUNK_BYTES)],
        );
        chunk += 1;
      } while (chunk * FILE_CHUNK_BYTES < whole.length);
    });
  }

  async read(id: string): Promise<Buffer | null> {
    checkFileId(id);
    return transaction(
      this.#pool,
      async (client) => {
        const { rows } = await client.query<{ chunks: number; size: string }>(
          `SELECT count(*)::int AS chunks,
                  coalesce(sum(octet_length(bytes)), 0)::bigint AS size
             FROM ${this.#table} WHERE id = $1`,
          [id],
        );
        const { chunks = 0, size = '0' } = rows[0] ?? {};
        if (chunks === 0) return null;
        // One row at a time, into the file's own buffer: a read holds the
        // file once, plus one chunk.
        const file = Buffer.allocUnsafe(Number(size));
        let offset = 0;
        for (let chunk = 0; chunk < chunks; chunk++) {
          // As base64, not bytea's hex text: a third smaller, and decoded
          // about three times as fast.
          const part = await client.query<{ base64: string }>(
            `SELECT encode(bytes, 'base64') AS base64
               FROM ${this.#table} WHERE id = $1 AND chunk = $2`,
            [id, chunk],
          );
          const base64 = part.rows[0]?.base64;
          if (base64 === undefined)
            throw new Error(`file ${id} lacks chunk ${chunk}`);
          offset += file.write(base64, offset, 'base64');
        }
        return file;
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async remove(id: string): Promise<void> {
    checkFileId(id);
    await this.#pool.query(`DELETE FROM ${this.#table} WHERE id = $1`, [id]);
  }

  /** Ends the pool, once nothing reads or writes any more. */
  close(): Promise<void> {
    return this.#pool.end();
  }
}

/** `work` in a transaction on a client of its own, rolled back if it throws. */
async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A client whose rollback failed too is broken: the pool drops it.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(rolledBack ? undefined : true);
    throw error;
  }
}

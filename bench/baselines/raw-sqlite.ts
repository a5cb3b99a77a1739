/**
 * The raw SQLite commit the baselines measure Converge's writes against:
 * better-sqlite3 with the pragmas of Converge's SQLite store (WAL,
 * `synchronous=NORMAL`, and its page cache and checkpoint interval), one
 * small row inserted per transaction, under a random 16-byte key as a
 * document id is. No versions, indexes beyond the primary key, read sets
 * or conflict checks: the floor of a durable write, one at a time.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CACHE_KIB, CHECKPOINT_PAGES } from '../../src/store/sqlite.ts';

export interface RawSqlite {
  /** Commits one single-row insert transaction. */
  commitOne(): void;
  close(): void;
}

const ROW = JSON.stringify({ key: 'item-0', body: 'hello world' });

export function openRawSqlite(dir: string): RawSqlite {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
  db.exec(
    'CREATE TABLE IF NOT EXISTS docs (id BLOB PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID',
  );
  const insert = db.prepare('INSERT INTO docs (id, value) VALUES (?, ?)');
  const commit = db.transaction(() => insert.run(randomBytes(16), ROW));
  return {
    commitOne: () => {
      commit();
    },
    close: () => db.close(),
  };
}

/**
 * Store benchmark: single-document commits per second and index range scan
 * rows per second, for each engine, next to the raw driver doing the same
 * work in the same run (a plain table with an index, no versions, no read
 * set, no conflict check). The ratio store/raw is what the MVCC layout and
 * OCC cost on top of the database itself.
 *
 * Both sides of a row run back to back in each round, alternating which goes
 * first; the median over rounds is reported.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { DocumentStore } from '../src/store/store.ts';
import { type Op, measure, median } from './measure.ts';

export interface StoreBenchRow {
  workload: string;
  engine: 'SQLite' | 'PostgreSQL';
  unit: string;
  store: number;
  raw: number;
  ratio: number;
}

/** Rows in the scanned table, and rows per scan (a page of a paginated query). */
const SCAN_TABLE_ROWS = 2_000;
const SCAN_PAGE = 100;

const pgUrl =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;

export async function benchStore(options: {
  durationMs: number;
  rounds: number;
}): Promise<StoreBenchRow[]> {
  const rows: StoreBenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'converge-bench-'));
  const schema = `converge_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    const sqliteStore = await openSqliteStore(join(dir, 'store.sqlite'));
    const raw = new Database(join(dir, 'raw.sqlite'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec(
      'CREATE TABLE docs (id TEXT PRIMARY KEY, n INTEGER, value TEXT); CREATE INDEX docs_n ON docs (n)',
    );
    const insertRaw = raw.prepare(
      'INSERT INTO docs (id, n, value) VALUES (?, ?, ?)',
    );
    const commitRaw = raw.transaction((id: string, n: number) =>
      insertRaw.run(id, n, JSON.stringify({ n, body: 'hello' })),
    );
    let i = 0;
    rows.push(
      await compare('single-document commit', 'SQLite', 'commits/s', options, {
        store: () => insertOne(sqliteStore, i++),
        raw: () => {
          commitRaw(randomBytes(16).toString('hex'), i++);
          return 1;
        },
      }),
    );
    await fillScanTable(sqliteStore);
    const scanRaw = raw.prepare(
      'SELECT id, n, value FROM docs WHERE n >= ? ORDER BY n LIMIT ?',
    );
    rows.push(
      await compare(
        'index range scan (100 rows)',
        'SQLite',
        'rows/s',
        options,
        {
          store: () => scanPage(sqliteStore),
          raw: () =>
            scanRaw.all(Math.floor(Math.random() * SCAN_TABLE_ROWS), SCAN_PAGE)
              .length,
        },
      ),
    );
    await sqliteStore.close();
    raw.close();

    const pgStore = await openPostgresStore(pgUrl, { schema });
    await admin.query(
      `CREATE TABLE ${schema}.raw_docs (id TEXT PRIMARY KEY, n INTEGER, value TEXT); CREATE INDEX ON ${schema}.raw_docs (n)`,
    );
    rows.push(
      await compare(
        'single-document commit',
        'PostgreSQL',
        'commits/s',
        options,
        {
          store: () => insertOne(pgStore, i++),
          raw: async () => {
            const n = i++;
            await admin.query(
              `INSERT INTO ${schema}.raw_docs (id, n, value) VALUES ($1, $2, $3)`,
              [
                randomBytes(16).toString('hex'),
                n,
                JSON.stringify({ n, body: 'hello' }),
              ],
            );
            return 1;
          },
        },
      ),
    );
    await fillScanTable(pgStore);
    rows.push(
      await compare(
        'index range scan (100 rows)',
        'PostgreSQL',
        'rows/s',
        options,
        {
          store: () => scanPage(pgStore),
          raw: async () =>
            (
              await admin.query(
                `SELECT id, n, value FROM ${schema}.raw_docs WHERE n >= $1 ORDER BY n LIMIT $2`,
                [Math.floor(Math.random() * SCAN_TABLE_ROWS), SCAN_PAGE],
              )
            ).rowCount ?? 0,
        },
      ),
    );
    await pgStore.close();
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function insertOne(store: DocumentStore, n: number): Promise<number> {
  const tx = await store.begin();
  await tx.insert('docs', { n, body: 'hello' });
  const result = await tx.commit();
  if (!result.success) throw new Error('an uncontended commit conflicted');
  return 1;
}

async function fillScanTable(store: DocumentStore): Promise<void> {
  await store.defineIndexes('scanned', [{ name: 'by_n', fields: ['n'] }]);
  const tx = await store.begin();
  for (let n = 0; n < SCAN_TABLE_ROWS; n++)
    await tx.insert('scanned', { n, body: 'hello' });
  const result = await tx.commit();
  if (!result.success) throw new Error('filling the scanned table conflicted');
}

async function scanPage(store: DocumentStore): Promise<number> {
  const tx = await store.begin();
  const lower = {
    value: Math.floor(Math.random() * SCAN_TABLE_ROWS),
    inclusive: true,
  };
  const page = await tx.scan({
    table: 'scanned',
    index: 'by_n',
    eq: [],
    lower,
    order: 'asc',
    limit: SCAN_PAGE,
  });
  return page.documents.length;
}

async function compare(
  workload: string,
  engine: StoreBenchRow['engine'],
  unit: string,
  options: { durationMs: number; rounds: number },
  sides: { store: Op; raw: Op },
): Promise<StoreBenchRow> {
  await measure(sides.store, options.durationMs / 4);
  await measure(sides.raw, options.durationMs / 4);
  const store: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 1) raw.push(await measure(sides.raw, options.durationMs));
    store.push(await measure(sides.store, options.durationMs));
    if (round % 2 === 0) raw.push(await measure(sides.raw, options.durationMs));
  }
  const s = median(store);
  const r = median(raw);
  return { workload, engine, unit, store: s, raw: r, ratio: s / r };
}

/**
 * Durability: a child process commits and acknowledges inserts; it is killed
 * with SIGKILL mid-stream; the store reopened in this process must hold every
 * acknowledged insert exactly once. On both engines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { DocumentStore } from '../../src/store/store.ts';

const writer = new URL('../helpers/store-writer.ts', import.meta.url).pathname;
const pgUrl =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;
/** Acknowledged commits to wait for before each kill; small in CI, larger on demand. */
const ACKS_BEFORE_KILL = Number(process.env['CONVERGE_DURABILITY_ACKS'] ?? 300);
const KILLS = Number(process.env['CONVERGE_DURABILITY_KILLS'] ?? 2);

/** Runs the writer until it has acknowledged `count` more commits, then SIGKILLs it. */
async function writeThenKill(args: string[], count: number): Promise<number[]> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', writer, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const acked: number[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) acked.push(Number(line.slice('ack '.length)));
      if (acked.length >= count) {
        // Killed mid-stream: the next commit may be half-way through.
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`writer exited early (${code}): ${stderr}`));
    });
  });
  await new Promise((resolve) => child.once('close', resolve));
  return acked;
}

async function survivors(store: DocumentStore): Promise<number[]> {
  const tx = await store.begin();
  const page = await tx.scan({
    table: 'acks',
    index: 'by_creation_time',
    eq: [],
    order: 'asc',
    limit: 1_000_000,
  });
  return page.documents.map((d) => d['n'] as number);
}

function checkExactlyOnce(
  acked: readonly number[],
  present: readonly number[],
): void {
  const counts = new Map<number, number>();
  for (const n of present) counts.set(n, (counts.get(n) ?? 0) + 1);
  const duplicates = [...counts].filter(([, c]) => c > 1);
  const lost = acked.filter((n) => !counts.has(n));
  expect({ duplicates, lost }).toEqual({ duplicates: [], lost: [] });
}

describe('acknowledged commits survive SIGKILL, exactly once', () => {
  test('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-durability-'));
    const path = join(dir, 'store.sqlite');
    try {
      await killRepeatedly(['sqlite', path], () => openSqliteStore(path));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL', async () => {
    const schema = `converge_durability_${randomBytes(6).toString('hex')}`;
    try {
      await killRepeatedly(['postgres', pgUrl, schema], () =>
        openPostgresStore(pgUrl, { schema }),
      );
    } finally {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});

/** Kills the writer KILLS times; after each, every acknowledged insert so far must be there once. */
async function killRepeatedly(
  args: string[],
  open: () => Promise<DocumentStore>,
): Promise<void> {
  const acked: number[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    // Each run numbers its inserts from its own million, so runs never collide.
    acked.push(
      ...(await writeThenKill(
        [String(kill * 1_000_000), ...args],
        ACKS_BEFORE_KILL,
      )),
    );
    const store = await open();
    const present = await survivors(store);
    await store.close();
    checkExactlyOnce(acked, present);
  }
  expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL * KILLS);
}

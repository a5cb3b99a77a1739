/**
 * What PostgreSQL itself allows, measured through `pg` on a fresh database
 * of the same server, as the floor under the processes section's figures:
 *
 * - commits per second from `connections` connections in closed loops,
 *   each commit one statement that inserts a row and sends a NOTIFY with
 *   a payload (`WITH … INSERT … RETURNING` into `pg_notify`), committed on
 *   its own; the fewest round trips a commit that others hear can take;
 * - the same statement taking one transaction-scoped advisory lock first,
 *   as Converge serializes its commits (src/store/postgres.ts), so every
 *   commit waits for the one before it: the ceiling that design sets
 *   before any of Converge's own work or round trips under the lock;
 * - the latency of that NOTIFY: from sending the statement on one
 *   connection to the notification arriving on another that LISTENs,
 *   one at a time, the raw counterpart of a cross-process update.
 *
 * The CPU figure per commit is the writers' PostgreSQL backends' (from
 * /proc; the server is local), not the WAL writer's or other background
 * processes'.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { type ThroughputResult, closedLoop } from './closed-loop.ts';
import { type LatencySummary, sampleLatencies } from './latency-summary.ts';
import { processCpuMs } from './process-usage.ts';
import { reachableDatabase } from './server-group.ts';
import type { Timing } from './timing.ts';
import type { LatencySamples } from './workloads/update-latency.ts';
import { OPERATION_LIMIT_MS, within } from './within.ts';

const CHANNEL = 'bench_raw';
/** Any key: the database is the bench's own. */
const LOCK = 1;
const BODY = 'hello world, a small document';

const insertAndNotify = `
  WITH inserted AS (INSERT INTO raw_commits (body) VALUES ($1) RETURNING id)
  SELECT pg_notify('${CHANNEL}', $2) FROM inserted`;
const lockedInsertAndNotify = `
  WITH locked AS (SELECT pg_advisory_xact_lock(${LOCK})),
  inserted AS (INSERT INTO raw_commits (body) SELECT $1 FROM locked RETURNING id)
  SELECT pg_notify('${CHANNEL}', $2) FROM inserted`;

export interface PostgresFloor {
  version: string;
  synchronousCommit: string;
  connections: number;
  commits: ThroughputResult;
  lockedCommits: ThroughputResult;
  notifyLatency: LatencySummary;
}

export async function measurePostgresFloor(options: {
  connections: number;
  timing: Timing;
  samples: LatencySamples;
}): Promise<PostgresFloor> {
  await using database = await reachableDatabase();
  const connect = async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    return client;
  };
  const listener = await connect();
  const writers: pg.Client[] = [];
  try {
    const setting = async (name: string) =>
      (await listener.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[
        name
      ] ?? 'unknown';
    await listener.query(
      'CREATE TABLE raw_commits (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)',
    );
    for (let i = 0; i < options.connections; i++) writers.push(await connect());
    const backends = await Promise.all(
      writers.map(
        async (w) =>
          (await w.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
            .rows[0]?.pid ?? 0,
      ),
    );
    const loop = (sql: string) =>
      closedLoop({
        ...options.timing,
        workers: writers.length,
        serverCpuMs: () =>
          backends.reduce((sum, pid) => sum + processCpuMs(pid), 0),
        op: async (worker) => {
          await writers[worker]?.query(sql, [BODY, 'load']);
        },
      });

    await listener.query(`LISTEN ${CHANNEL}`);
    const commits = await loop(insertAndNotify);
    const lockedCommits = await loop(lockedInsertAndNotify);
    const notifyLatency = await latency(
      writers[0] ?? listener,
      listener,
      options.samples,
    );
    return {
      version: await setting('server_version'),
      synchronousCommit: await setting('synchronous_commit'),
      connections: writers.length,
      commits,
      lockedCommits,
      notifyLatency,
    };
  } finally {
    await Promise.all([...writers, listener].map((c) => c.end()));
  }
}

/** Statement sent on `writer` to its NOTIFY heard on `listener`, one at a time. */
async function latency(
  writer: pg.Client,
  listener: pg.Client,
  samples: LatencySamples,
): Promise<LatencySummary> {
  let waiting: { payload: string; resolve: () => void } | null = null;
  listener.on('notification', (message) => {
    if (waiting !== null && message.payload === waiting.payload)
      waiting.resolve();
  });
  let n = 0;
  const sample = async (): Promise<number> => {
    const payload = `sample-${n++}`;
    const start = performance.now();
    const arrived = new Promise<void>((resolve) => {
      waiting = { payload, resolve };
    });
    await writer.query(insertAndNotify, [BODY, payload]);
    await within(arrived, OPERATION_LIMIT_MS, 'a NOTIFY');
    return performance.now() - start;
  };
  return sampleLatencies(sample, samples);
}

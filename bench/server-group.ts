/**
 * Several Converge processes sharing one PostgreSQL database, as a
 * deployment behind a load balancer runs them (issue 10): `count` real
 * `converge serve` children over the bench app, each with its own data
 * directory and port and the same admin key, on a database created for
 * this group alone and dropped afterwards.
 *
 * The PostgreSQL server is the one DATABASE_URL names (the test suite's
 * default otherwise, fresh-database.ts). When it cannot be reached the
 * group fails with that said, never quietly measuring something else.
 *
 * The processes start one after another, so the first creates the store's
 * schema alone; how processes race to create it is the store tests' matter,
 * not the bench's.
 */
import {
  type FreshDatabase,
  POSTGRES_URL,
  freshDatabase,
} from '../test/helpers/fresh-database.ts';
import {
  type ServerUnderTest,
  startServerUnderTest,
} from './server-under-test.ts';

export interface ServerGroup {
  /** The processes, in the order they started. */
  servers: readonly ServerUnderTest[];
  /** The database they share: also where the raw baselines may write. */
  databaseUrl: string;
  /** CPU milliseconds used so far by all the processes together. */
  cpuMs: () => number;
  /** A counter of `GET /metrics` summed over every process. */
  metric(name: string): Promise<number>;
  /**
   * The warnings and errors the processes logged so far (pino levels 40 and
   * up), each prefixed with its process's number: a figure taken while a
   * server complained is reported with what it said.
   */
  problems(): string[];
}

export async function withServerGroup<T>(
  count: number,
  work: (group: ServerGroup) => Promise<T>,
): Promise<T> {
  await using database = await reachableDatabase();
  const servers: (ServerUnderTest & AsyncDisposable)[] = [];
  try {
    for (let i = 0; i < count; i++)
      servers.push(
        await startServerUnderTest({ databaseUrl: database.url }).catch(
          (error: unknown) => {
            throw new Error(`process ${i + 1} of ${count} did not start`, {
              cause: error,
            });
          },
        ),
      );
    const group: ServerGroup = {
      servers,
      databaseUrl: database.url,
      cpuMs: () => servers.reduce((sum, s) => sum + s.cpuMs(), 0),
      metric: async (name) =>
        (await Promise.all(servers.map((s) => s.metric(name)))).reduce(
          (sum, value) => sum + value,
          0,
        ),
      problems: () =>
        servers.flatMap((s, i) =>
          s
            .logs()
            .split('\n')
            .filter(isProblem)
            .map((line) => `process ${i + 1}: ${line}`),
        ),
    };
    return await work(group);
  } finally {
    for (const server of servers.reverse()) await server[Symbol.asyncDispose]();
  }
}

/** A fresh database, or an error that names the server that could not make one. */
export async function reachableDatabase(): Promise<FreshDatabase> {
  try {
    return await freshDatabase('converge_bench');
  } catch (error) {
    const where = new URL(POSTGRES_URL);
    where.password = '';
    throw new Error(
      `PostgreSQL at ${where.host} (DATABASE_URL) could not give the bench a database: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}

/** A JSON log line at pino's warn level or above (40 warn, 50 error, 60 fatal). */
function isProblem(line: string): boolean {
  const level = /"level":(\d+)/.exec(line)?.[1];
  return level !== undefined && Number(level) >= 40;
}

/**
 * The Converge server the workloads measure: `converge serve` over the
 * bench app (bench/app/) on SQLite in a temporary directory (or on a
 * PostgreSQL database, for the processes section), in a child process of
 * its own, so that it and the bench's clients each get a core
 * and its CPU time and memory can be read apart from theirs.
 *
 * It is the test suite's child-process launcher (test/helpers/
 * converge-process.ts), which this module only adds readings to: CPU time
 * and resident memory from /proc, and the counters of `GET /metrics`.
 */
import { fileURLToPath } from 'node:url';
import {
  type ServerProcess,
  type ServerProcessOptions,
  startServerProcess,
} from '../test/helpers/converge-process.ts';
import { processCpuMs, processRssBytes } from './process-usage.ts';

const benchApp = fileURLToPath(new URL('./app/', import.meta.url));

export interface ServerUnderTest {
  url: string;
  /** Where the bench app's HTTP actions answer. */
  siteUrl: string;
  pid: number;
  cpuMs: () => number;
  rssBytes: () => number;
  /** The sum of a counter of `GET /metrics` over all its labels (0 when absent). */
  metric(name: string): Promise<number>;
  /** What the server logged (JSON lines): shown when a workload fails. */
  logs(): string;
}

export async function withServerUnderTest<T>(
  work: (server: ServerUnderTest) => Promise<T>,
): Promise<T> {
  await using server = await startServerUnderTest();
  return await work(server);
}

/**
 * A server under test for the caller to dispose of: on its own SQLite
 * store by default, or on the PostgreSQL database `databaseUrl` names,
 * which several may share (server-group.ts).
 */
export async function startServerUnderTest(
  options: Pick<ServerProcessOptions, 'databaseUrl'> = {},
): Promise<ServerUnderTest & AsyncDisposable> {
  const child: ServerProcess = await startServerProcess(benchApp, options);
  const { pid, url } = child;
  return {
    url,
    siteUrl: child.siteUrl,
    pid,
    cpuMs: () => processCpuMs(pid),
    rssBytes: () => processRssBytes(pid),
    metric: async (name) => sumOfMetric(await scrape(url), name),
    logs: () => child.logs(),
    [Symbol.asyncDispose]: () => child[Symbol.asyncDispose](),
  };
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}

/** Adds up every sample of `name` in a Prometheus text exposition. */
export function sumOfMetric(exposition: string, name: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

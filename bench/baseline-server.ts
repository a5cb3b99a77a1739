/**
 * The raw uWebSockets.js baseline server (baselines/raw-server.ts) in a
 * child process, with its SQLite file in a temporary directory, for the
 * length of one workload; its CPU time is read from /proc as the server
 * under test's is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpuMs } from './process-usage.ts';
import { spawnTsx } from './tsx-child.ts';

export type RawRoute =
  '/echo' | '/echo-commit' | '/relay' | '/publish/subscribe' | '/publish/send';

export interface BaselineServer {
  pid: number;
  cpuMs: () => number;
  /** The WebSocket URL of a route. */
  wsUrl(route: RawRoute): string;
  /** The HTTP route's URL, answering a JSON body of `bytes` bytes. */
  routeUrl(bytes: number): string;
}

export async function withBaselineServer<T>(
  work: (server: BaselineServer) => Promise<T>,
): Promise<T> {
  const data = mkdtempSync(join(tmpdir(), 'converge-bench-raw-'));
  const child = spawnTsx('./baselines/raw-server.ts', ['--data', data]);
  try {
    const [, port] = await child.line(/^listening (\d+)$/);
    const { pid } = child.child;
    if (pid === undefined) throw new Error('the raw server has no pid');
    return await work({
      pid,
      cpuMs: () => processCpuMs(pid),
      wsUrl: (route) => `ws://127.0.0.1:${port}${route}`,
      routeUrl: (bytes) => `http://127.0.0.1:${port}/route?bytes=${bytes}`,
    });
  } finally {
    await child.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

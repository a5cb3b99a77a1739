/**
 * withBenchServer: a real Converge server (the `startServer` of
 * `converge serve`) over test/apps/basic on SQLite in a temporary
 * directory, silent, for the length of one piece of benchmark work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/cli/logger.ts';
import { type RunningServer, startServer } from '../src/cli/start-server.ts';

export async function withBenchServer<T>(
  work: (server: RunningServer) => Promise<T>,
): Promise<T> {
  const data = mkdtempSync(join(tmpdir(), 'converge-bench-'));
  const started = await startServer(
    {
      functions: new URL('../test/apps/basic/', import.meta.url).pathname,
      port: 0,
      sitePort: 0,
      host: '127.0.0.1',
      data,
      databaseUrl: undefined,
      adminKey: 'bench',
      jwtSecret: undefined,
      envFile: undefined,
    },
    { version: 'bench', logger: createLogger({ level: 'silent' }) },
  );
  if (!started.success) throw new Error(started.error);
  try {
    return await work(started.server);
  } finally {
    await started.server.close();
    rmSync(data, { recursive: true, force: true });
  }
}

/**
 * A real Converge server for end-to-end tests: `startServer`, the function
 * `converge serve` uses, on a free port over a test app, with its data in a
 * temporary directory removed on dispose. A test that restarts a server
 * passes its own `data` directory (see `temporaryDataDir`), which outlives
 * each server started over it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/cli/config.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { type RunningServer, startServer } from '../../src/cli/start-server.ts';

export const TEST_ADMIN_KEY = 'converge|test-admin-key';
export const TEST_JWT_SECRET = 'a development secret for tests';

export interface TestServer extends RunningServer {
  /** The log records the server wrote, as JSON lines. */
  logs: string[];
  dataDir: string;
}

export interface TemporaryDataDir extends AsyncDisposable {
  path: string;
}

/** A data directory for several servers in turn, removed on dispose. */
export function temporaryDataDir(): TemporaryDataDir {
  const path = mkdtempSync(join(tmpdir(), 'converge-e2e-'));
  return {
    path,
    [Symbol.asyncDispose]: async () =>
      rmSync(path, { recursive: true, force: true }),
  };
}

export async function startTestServer(
  app: string,
  overrides: Partial<Config> = {},
): Promise<TestServer> {
  const ownsDataDir = overrides.data === undefined;
  const dataDir =
    overrides.data ?? mkdtempSync(join(tmpdir(), 'converge-e2e-'));
  const logs: string[] = [];
  const started = await startServer(
    {
      functions: new URL(`../apps/${app}/`, import.meta.url).pathname,
      port: 0,
      sitePort: 0,
      host: '127.0.0.1',
      data: dataDir,
      databaseUrl: undefined,
      adminKey: TEST_ADMIN_KEY,
      jwtSecret: TEST_JWT_SECRET,
      envFile: undefined,
      drainMs: 0,
      cloudOrigin: undefined,
      siteOrigin: undefined,
      ...overrides,
    },
    {
      version: 'test',
      logger: createLogger({
        destination: { write: (line: string) => logs.push(line) },
      }),
    },
  );
  if (!started.success) throw new Error(started.error);
  const { server } = started;
  const close = async () => {
    await server.close();
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    ...server,
    logs,
    dataDir,
    close,
    [Symbol.asyncDispose]: close,
  };
}

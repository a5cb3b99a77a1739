/**
 * A real Converge server in a child process: `converge serve` itself, on a
 * free port over a test app (or any functions directory), with its data in a
 * temporary directory removed on dispose.
 *
 * For tests whose own process is not plain Node: a DOM environment replaces
 * globals such as `TextEncoder` with the DOM's, which the bundler and the
 * server must not see. The browser and the server then share nothing but
 * the socket, as in production. Everything else uses `converge-server.ts`,
 * which this module does not import, so as not to load the server here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const cli = join(import.meta.dirname, '../../bin/converge.js');
/** `converge serve` reports its address on its first line of output. */
const SERVING = / at (http:\/\/\S+)\n/;

export interface ServerProcess extends AsyncDisposable {
  url: string;
  /**
   * Sends `signal` (SIGTERM by default) and resolves once the process has
   * exited, with its exit code and its logs (all it wrote to stderr).
   */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; logs: string }>;
  /** Where the app's HTTP actions answer. */
  siteUrl: string;
}

export interface ServerProcessOptions {
  /** Added to the server's environment, e.g. `CONVERGE_JWT_SECRET`. */
  env?: Readonly<Record<string, string>>;
}

/** `app` is a test app's name, or a functions directory's absolute path. */
export async function startServerProcess(
  app: string,
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'converge-e2e-'));
  const functions = isAbsolute(app)
    ? app
    : join(import.meta.dirname, '../apps', app);
  // Chosen here because the site URL is not part of what serve prints first.
  const sitePort = await freePort();
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      ...['--functions', functions],
      ...['--port', '0', '--site-port', String(sitePort)],
      ...['--host', '127.0.0.1'],
      ...['--data', dataDir, '--admin-key', 'converge|test-admin-key'],
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own SQLite store in its data directory, even where the tests'
      // environment names a PostgreSQL database for the store's own tests.
      env: { ...process.env, DATABASE_URL: '', ...options.env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', resolve));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null)
      child.kill(signal);
    await exited;
    return { code: child.exitCode, logs: stderr };
  };
  const close = async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const serving = SERVING.exec(stdout);
        if (serving?.[1]) resolve(serving[1]);
      });
      void exited.then(() =>
        reject(new Error(`converge serve exited before serving: ${stderr}`)),
      );
    });
    return {
      url,
      siteUrl: `http://127.0.0.1:${sitePort}`,
      stop,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

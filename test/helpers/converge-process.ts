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
 *
 * For crash tests: a process can be killed (SIGKILL) and restarted on the
 * same port, data directory and database, so that clients find the new
 * server by themselves, as they would after a real crash.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const cli = join(import.meta.dirname, '../../bin/converge.js');
/** `converge serve` reports its address on its first line of output. */
const SERVING = / at (http:\/\/\S+)\n/;
/**
 * A restart on the same port may find it still taken for a moment by
 * another process's loopback socket given the same number. Tried this many
 * times, this far apart (each try is a start of a few seconds), before
 * giving up.
 */
const RESTART_ATTEMPTS = 30;
const RESTART_RETRY_MS = 1000;

export interface ServerProcess extends AsyncDisposable {
  url: string;
  /**
   * Sends `signal` (SIGTERM by default) and resolves once the process has
   * exited, with its exit code and its logs (all it wrote to stderr, over
   * every run).
   */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; logs: string }>;
  /** Kills the process outright (SIGKILL), as a crash would, once it has exited. */
  kill(): Promise<void>;
  /**
   * Starts `converge serve` again, once the previous run has exited, on the
   * same site port, data directory and database, and on the same port
   * (`url` unchanged) unless `anyPort` says a free one will do.
   */
  restart(options?: { anyPort?: boolean }): Promise<void>;
  /** Where the app's HTTP actions answer. */
  siteUrl: string;
  dataDir: string;
  /** The process id of the current run. */
  readonly pid: number;
  /** What the server wrote to stderr so far, over every run: its log, one JSON record a line. */
  logs(): string;
}

export interface ServerProcessOptions {
  /** Added to the server's environment, e.g. `CONVERGE_JWT_SECRET`. */
  env?: Readonly<Record<string, string>>;
  /** The port to serve on; a free one by default. */
  port?: number;
  /** A data directory the caller owns and removes; a temporary one by default. */
  dataDir?: string;
  /** A PostgreSQL store for the server; its own SQLite store by default. */
  databaseUrl?: string;
}

/** `app` is a test app's name, or a functions directory's absolute path. */
export async function startServerProcess(
  app: string,
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir =
    options.dataDir ?? mkdtempSync(join(tmpdir(), 'converge-e2e-'));
  const functions = isAbsolute(app)
    ? app
    : join(import.meta.dirname, '../apps', app);
  // Chosen here because the site URL is not part of what serve prints first.
  const sitePort = await freePort();
  let logs = '';
  const launch = (port: number): Run =>
    spawnServe(
      [
        ...['--functions', functions],
        ...['--port', String(port), '--site-port', String(sitePort)],
        ...['--host', '127.0.0.1'],
        ...['--data', dataDir, '--admin-key', 'converge|test-admin-key'],
      ],
      {
        ...process.env,
        // Its own SQLite store in its data directory unless told otherwise,
        // even where the tests' environment names a PostgreSQL database for
        // the store's own tests.
        DATABASE_URL: options.databaseUrl ?? '',
        // Stopped at once on SIGTERM unless a test asks for a drain.
        CONVERGE_DRAIN_MS: '0',
        ...options.env,
      },
      (chunk) => (logs += chunk),
    );

  // A port of its own rather than 0: uWebSockets.js sets SO_REUSEADDR only
  // on a listener given a port number, and without it the killed server's
  // connections in TIME_WAIT keep a restart off the port for a minute.
  let run = launch(options.port ?? (await freePort()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await run.stop(signal);
    return { code: run.child.exitCode, logs };
  };
  const close = async () => {
    await stop();
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await run.serving;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    get url() {
      return url;
    },
    siteUrl: `http://127.0.0.1:${sitePort}`,
    dataDir,
    get pid() {
      const { pid } = run.child;
      if (pid === undefined) throw new Error('converge serve has no pid');
      return pid;
    },
    logs: () => logs,
    stop,
    kill: async () => {
      await run.stop('SIGKILL');
    },
    async restart({ anyPort = false } = {}) {
      if (run.running())
        throw new Error('restart: the previous server is still running');
      const port = anyPort ? 0 : Number(new URL(url).port);
      for (let attempt = 1; ; attempt++) {
        run = launch(port);
        try {
          url = await run.serving;
          return;
        } catch (error) {
          if (attempt >= RESTART_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, RESTART_RETRY_MS));
        }
      }
    },
    [Symbol.asyncDispose]: close,
  };
}

interface Run {
  child: ChildProcess;
  /** The URL it serves at, once it does; rejects if it exits first. */
  serving: Promise<string>;
  running(): boolean;
  stop(signal: NodeJS.Signals): Promise<void>;
}

function spawnServe(
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (chunk: string) => void,
): Run {
  const child = spawn(process.execPath, [cli, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  const running = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<void>((resolve) => child.once('exit', resolve));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    log(chunk.toString());
  });
  const serving = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = SERVING.exec(stdout);
      if (found?.[1]) resolve(found[1]);
    });
    void exited.then(() =>
      reject(new Error(`converge serve exited before serving: ${stderr}`)),
    );
  });
  // A run that exits before serving is reported through `serving` when awaited.
  serving.catch(() => undefined);
  return {
    child,
    serving,
    running,
    async stop(signal) {
      if (running()) child.kill(signal);
      await exited;
    },
  };
}

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

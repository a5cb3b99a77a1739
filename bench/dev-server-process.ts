/**
 * `converge dev` in a child process, as a developer runs it (`node
 * bin/converge.js dev`, SQLite in the given data directory, free ports),
 * for the memory bench: it counts the reloads the server logs and can have
 * it collect its garbage on demand.
 *
 * The one addition to the server under test: it runs with `--expose-gc`
 * and a module loaded before the CLI that, on SIGUSR2 (which the server
 * does not use), makes a full collection and prints the V8 heap left in
 * use on stdout. A reading after it is what the server retains, without
 * the garbage V8 has not yet found the time to collect.
 *
 * Not here: the reloads themselves and what is read between them
 * (idle-memory.ts).
 */
import { spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export interface DevServerProcess extends AsyncDisposable {
  url: string;
  pid: number;
  /** How many "functions reloaded" records the server has logged so far. */
  reloadsLogged(): number;
  /** Resolves once more than `before` reloads are logged; rejects on a reload that failed. */
  reloaded(before: number): Promise<void>;
  /** A full garbage collection in the server; resolves with the V8 heap still in use after it. */
  collect(): Promise<{ heapUsedBytes: number }>;
}

const cli = fileURLToPath(new URL('../bin/converge.js', import.meta.url));
/** What the server prints once it has collected: this, then the heap in use, in bytes. */
const COLLECTED = 'dev-server-process: collected';
const COLLECTED_LINE = new RegExp(`^${COLLECTED} (\\d+)$`, 'gm');
const COLLECT_ON_SIGNAL = `data:text/javascript,${encodeURIComponent(
  `process.on('SIGUSR2', () => {
    globalThis.gc();
    process.stdout.write('${COLLECTED} ' + process.memoryUsage().heapUsed + '\\n');
  });`,
)}`;
/** A reload (codegen, bundle, load, rerun) or a collection takes well under a second; this bounds a stuck one. */
const WAIT_LIMIT_MS = 15_000;

export async function startDevServerProcess(
  functions: string,
  data: string,
): Promise<DevServerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...['--import', COLLECT_ON_SIGNAL],
      cli,
      'dev',
      ...['--functions', functions, '--data', data],
      ...['--host', '127.0.0.1', '--admin-key', 'converge|bench-admin-key'],
      ...['--port', String(await freePort())],
      ...['--site-port', String(await freePort())],
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '' },
    },
  );
  let stdout = '';
  let partialLine = '';
  let logs = '';
  let reloads = 0;
  let failure: string | null = null;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    logs += chunk.toString();
    const lines = (partialLine + chunk.toString()).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"msg":"functions reloaded"')) reloads += 1;
      else if (line.includes('previous code stays live')) failure = line;
    }
  });
  const collected = (): number[] =>
    [...stdout.matchAll(COLLECTED_LINE)].map((found) => Number(found[1]));
  const exited = new Promise<void>((resolve) => child.once('exit', resolve));
  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null)
      child.kill('SIGTERM');
    await exited;
  };
  const until = async (done: () => boolean, what: string) => {
    const deadline = performance.now() + WAIT_LIMIT_MS;
    while (!done()) {
      if (failure !== null) throw new Error(`a reload failed: ${failure}`);
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`converge dev exited: ${logs}`);
      if (performance.now() > deadline) throw new Error(`${what} timed out`);
      await sleep(5);
    }
  };

  try {
    let url: string | undefined;
    await until(() => {
      url = / at (http:\/\/\S+)\n/.exec(stdout)?.[1];
      return url !== undefined;
    }, 'starting converge dev');
    const { pid } = child;
    if (url === undefined || pid === undefined)
      throw new Error('converge dev has no address or no pid');
    return {
      url,
      pid,
      reloadsLogged: () => reloads,
      reloaded: (before) => until(() => reloads > before, 'a reload'),
      async collect() {
        const before = collected().length;
        child.kill('SIGUSR2');
        await until(() => collected().length > before, 'a collection');
        return { heapUsedBytes: collected().at(-1) ?? NaN };
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
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

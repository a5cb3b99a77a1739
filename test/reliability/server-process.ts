/**
 * `converge serve` in a child process whose memory a test can read: the
 * server's resident set from `/proc/<pid>/status`, free of the clients
 * that load it from the test's own process. Its data lives in a temporary
 * directory removed on dispose.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '../../bin/converge.js');
/** `converge serve` reports its address on its first line of output. */
const SERVING = / at (http:\/\/\S+)\n/;

export interface Memory {
  /** The resident set now, in bytes (VmRSS). */
  rssBytes: number;
  /** The largest resident set so far, in bytes (VmHWM). */
  peakRssBytes: number;
}

export interface MeasuredServer extends AsyncDisposable {
  url: string;
  pid: number;
  memory(): Memory;
  /** What the server wrote to stderr so far: its log, one JSON record a line. */
  logs(): string;
}

export async function startMeasuredServer(
  app: string,
): Promise<MeasuredServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'converge-load-'));
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      ...['--functions', join(import.meta.dirname, '../apps', app)],
      ...['--port', '0', '--site-port', '0', '--host', '127.0.0.1'],
      ...['--data', dataDir, '--admin-key', 'converge|test-admin-key'],
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', resolve));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
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
    const pid = child.pid;
    if (pid === undefined) throw new Error('converge serve has no pid');
    return {
      url,
      pid,
      memory: () => memoryOf(pid),
      logs: () => stderr,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

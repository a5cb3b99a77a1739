/**
 * The official Convex CLI (`convex` in devDependencies), run as a user runs
 * it, over a Convex project in a temporary directory pointed at a Converge
 * server: `CONVEX_SELF_HOSTED_URL` and `CONVEX_SELF_HOSTED_ADMIN_KEY`, a
 * `package.json` that depends on `convex` (the CLI refuses to push
 * otherwise) and the repository's `node_modules` linked in, where the CLI's
 * bundler finds `convex/server`.
 *
 * `CI=1` keeps the CLI from reporting to its error tracker, which it would
 * try to reach over a network these machines do not have.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const repo = join(import.meta.dirname, '../..');
const cli = join(repo, 'node_modules/convex/bin/main.js');
/** A CLI command that has not finished by then is stuck: it is killed and the test fails. */
const DEFAULT_TIMEOUT_MS = 60_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ConvexProject extends AsyncDisposable {
  /** The project's root, where `.env.local` is written. */
  dir: string;
  /** Writes a file under `convex/`. */
  write(file: string, source: string): void;
  /** Runs `npx convex <args>` to its end. */
  run(
    args: readonly string[],
    options?: { timeoutMs?: number; env?: Record<string, string> },
  ): Promise<CliResult>;
  /** Starts `npx convex <args>` and leaves it running (`logs`, `dev`). */
  start(args: readonly string[]): ChildProcess;
}

export function convexProject(
  server: { url: string; adminKey: string },
  files: Record<string, string>,
): ConvexProject {
  const dir = mkdtempSync(join(tmpdir(), 'converge-cli-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'converge-cli-test',
      private: true,
      dependencies: { convex: '1.48.0' },
    }),
  );
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const write = (file: string, source: string): void => {
    const path = join(dir, 'convex', file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
  };
  for (const [file, source] of Object.entries(files)) write(file, source);
  const environment = (extra: Record<string, string> = {}) => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env))
      if (value !== undefined && !name.startsWith('CONVEX_')) env[name] = value;
    return {
      ...env,
      CONVEX_SELF_HOSTED_URL: server.url,
      CONVEX_SELF_HOSTED_ADMIN_KEY: server.adminKey,
      CI: '1',
      NO_COLOR: '1',
      ...extra,
    };
  };
  const start = (
    args: readonly string[],
    extra?: Record<string, string>,
  ): ChildProcess =>
    spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: environment(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  return {
    dir,
    write,
    start: (args) => start(args),
    run: (args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = start(args, options.env);
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (chunk: Buffer) => (stdout += String(chunk)));
        child.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            new Error(
              `npx convex ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`,
            ),
          );
        }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
    [Symbol.asyncDispose]: async () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A bench script run as a child process through tsx (`node --import tsx
 * <script> …args`) from the project root, its stdout read line by line and
 * its stderr kept for the error a failure reports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));

export interface TsxChild {
  child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  line(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves once the process has exited. */
  exited: Promise<void>;
  /** Sends SIGTERM, once, and resolves when the process has exited. */
  stop(): Promise<void>;
}

export function spawnTsx(script: string, args: readonly string[]): TsxChild {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL(script, import.meta.url)),
      ...args,
    ],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return {
    child,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const look = () => {
          for (const line of stdout.split('\n')) {
            const found = pattern.exec(line);
            if (found) {
              child.stdout?.off('data', look);
              resolve(found);
              return;
            }
          }
        };
        child.stdout?.on('data', look);
        look();
        void exited.then(() => {
          look();
          reject(new Error(`${script} exited (${child.exitCode}): ${stderr}`));
        });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGTERM');
      await exited;
    },
  };
}

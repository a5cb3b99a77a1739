/**
 * Execution: what user code running right now may reach of its host, found
 * through AsyncLocalStorage so that concurrent executions interleave safely
 * in one realm (the official Node executor and convex-test do the same).
 *
 * The user realm's globals (`Convex`, `Date`, `Math.random`, `console`,
 * `process.env`, `fetch`, timers) consult the current execution; outside any
 * (module import time) they answer for the deployment's import, where the
 * clock and randomness are fixed and the database is out of reach.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExecutionGuard } from './execution-guard.ts';
import type { SeededRandom } from './seeded-random.ts';

export type FunctionKind = 'query' | 'mutation' | 'action' | 'httpAction';

export interface Execution {
  /** `import` while module code runs at load time. */
  kind: FunctionKind | 'import';
  /** What `Date.now()` returns: frozen in queries, mutations and at import; the real clock in actions. */
  now(): number;
  /** Seeded in queries, mutations and at import; null means real randomness (actions). */
  random: SeededRandom | null;
  /** Console output, as Convex log lines (`[LOG] 'hello'`). */
  logLines: string[];
  /** The deployment's environment variables, which `process.env` shows. */
  env: Readonly<Record<string, string>>;
  /**
   * The guard of a query or mutation (execution-guard.ts), which
   * executeFunction sets as the code starts: the execution's async syscalls
   * enter and leave it.
   */
  guard?: ExecutionGuard | null;
  /**
   * Told of host work user code now waits on (a promise the host handed it),
   * so that a query or mutation waiting on it is not taken for one that can
   * never finish (execution-guard.ts).
   */
  hostWork?(pending: Promise<unknown>): void;
  syscall(op: string, args: string): string;
  asyncSyscall(op: string, args: string): Promise<string>;
  jsSyscall(op: string, args: Record<string, unknown>): unknown;
}

export const executions = new AsyncLocalStorage<Execution>();

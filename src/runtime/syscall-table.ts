/**
 * SyscallTable: the host side of `Convex.syscall` and `Convex.asyncSyscall`
 * for one kind of execution (convex-runtime.md §2.1). It parses the JSON
 * arguments `convex/server` sends, dispatches by op name to the handlers of
 * that kind, and serialises the answer.
 *
 * A table is built once per kind, not per run: its handlers take the state
 * of the run they serve as their first argument, so a run costs one small
 * object rather than a closure per op. The order in which a run's async ops
 * run is the run's business (udf-run.ts, action-run.ts).
 *
 * Unknown ops fail with Convex's exact texts, which `convex/server` itself
 * looks for ("Unknown async operation" marks a meta call made from an
 * action).
 */
import type { JSONValue } from 'convex/values';

export type SyscallArgs = Record<string, JSONValue>;
export type SyncOp<R> = (run: R, args: SyscallArgs) => JSONValue;
export type AsyncOp<R> = (run: R, args: SyscallArgs) => Promise<JSONValue>;
export type SyncOps<R> = Readonly<Record<string, SyncOp<R>>>;
export type AsyncOps<R> = Readonly<Record<string, AsyncOp<R>>>;

export class SyscallTable<R> {
  readonly #sync: ReadonlyMap<string, SyncOp<R>>;
  readonly #async: ReadonlyMap<string, AsyncOp<R>>;

  constructor(ops: { sync: SyncOps<R>; async: AsyncOps<R> }) {
    this.#sync = new Map(Object.entries(ops.sync));
    this.#async = new Map(Object.entries(ops.async));
  }

  syscall(run: R, op: string, argsJson: string): string {
    const handler = this.#sync.get(op);
    if (!handler) throw new Error(`Unknown operation ${op}`);
    return JSON.stringify(handler(run, JSON.parse(argsJson) as SyscallArgs));
  }

  /** The handler of an async op; Convex's error when the kind has none. */
  asyncOp(op: string): AsyncOp<R> {
    const handler = this.#async.get(op);
    if (!handler) throw unknownAsyncOperation(op);
    return handler;
  }

  /** An async op, started at once: the answer's JSON, or the handler's rejection. */
  asyncSyscall(run: R, op: string, argsJson: string): Promise<string> {
    const handler = this.#async.get(op);
    if (!handler) return Promise.reject(unknownAsyncOperation(op));
    return answer(handler, run, JSON.parse(argsJson) as SyscallArgs);
  }
}

/** The JSON of what a handler answers. */
async function answer<R>(
  handler: AsyncOp<R>,
  run: R,
  args: SyscallArgs,
): Promise<string> {
  return JSON.stringify(await handler(run, args));
}

function unknownAsyncOperation(op: string): Error {
  return new Error(`Unknown async operation ${op}`);
}

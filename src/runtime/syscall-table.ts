/**
 * SyscallTable: the host side of `Convex.syscall` and `Convex.asyncSyscall`
 * for one execution (convex-runtime.md §2.1). It parses the JSON arguments
 * `convex/server` sends, dispatches by op name to the handlers of the
 * execution's kind, and serialises the answer.
 *
 * In queries and mutations the asynchronous ops run one at a time in the
 * order they were called, as Convex runs them, so `Promise.all([insert,
 * get])` always sees the same thing; actions run theirs concurrently.
 * Unknown ops fail with Convex's exact texts, which `convex/server` itself
 * looks for ("Unknown async operation" marks a meta call made from an
 * action).
 */
import type { JSONValue } from 'convex/values';

export type SyscallArgs = Record<string, JSONValue>;
export type SyncOps = Readonly<
  Record<string, (args: SyscallArgs) => JSONValue>
>;
export type AsyncOps = Readonly<
  Record<string, (args: SyscallArgs) => Promise<JSONValue>>
>;

export class SyscallTable {
  readonly #sync: SyncOps;
  readonly #async: AsyncOps;
  readonly #serial: boolean;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(ops: { sync: SyncOps; async: AsyncOps; serial: boolean }) {
    this.#sync = ops.sync;
    this.#async = ops.async;
    this.#serial = ops.serial;
  }

  syscall(op: string, argsJson: string): string {
    const handler = Object.hasOwn(this.#sync, op) ? this.#sync[op] : undefined;
    if (!handler) throw new Error(`Unknown operation ${op}`);
    return JSON.stringify(handler(JSON.parse(argsJson) as SyscallArgs));
  }

  asyncSyscall(op: string, argsJson: string): Promise<string> {
    const handler = Object.hasOwn(this.#async, op)
      ? this.#async[op]
      : undefined;
    if (!handler)
      return Promise.reject(new Error(`Unknown async operation ${op}`));
    const args = JSON.parse(argsJson) as SyscallArgs;
    const call = async (): Promise<string> =>
      JSON.stringify(await handler(args));
    if (!this.#serial) return call();
    const run = this.#queue.then(call);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * The syscall table of an action (convex-runtime.md §2.4): an action has no
 * database; each `ctx.runQuery`, `ctx.runMutation` and `ctx.runAction` it
 * makes is a call of its own (a query at the latest snapshot, a mutation in
 * its own transaction with retries), which may reach internal functions, and
 * each `ctx.scheduler` call is a small transaction of its own. Its ops run
 * concurrently, as an action's promises do on Convex.
 *
 * A call that fails rejects with an `Error` whose `data` is the value JSON of
 * a `ConvexError`, which `convex/server` turns back into a `ConvexError` in
 * the action.
 */
import { type JSONValue, type Value, jsonToConvex } from 'convex/values';
import type { FunctionKind } from './execution.ts';
import { functionHandle } from './function-address.ts';
import { type FunctionResult, valueJsonOrThrow } from './function-result.ts';
import { type MetaContext, metaOps } from './meta-syscalls.ts';
import { type StorageContext, storageOps } from './storage-syscalls.ts';
import { type SyscallArgs, SyscallTable } from './syscall-table.ts';
import { addressOrThrow, jobToSchedule } from './udf-syscalls.ts';
import type { VectorQuery } from './vector-search.ts';

/** What an action may call: the runner, seen through the calls an action makes. */
export interface ActionCalls {
  query(path: string, args: Value): Promise<FunctionResult>;
  mutation(path: string, args: Value): Promise<FunctionResult>;
  action(path: string, args: Value): Promise<FunctionResult>;
  schedule(job: ReturnType<typeof jobToSchedule>): Promise<string>;
  cancel(id: string): Promise<void>;
  /** The kind of the function at a canonical path, or null when there is none. */
  kindOf(path: string): FunctionKind | null;
  vectorSearch(query: VectorQuery): Promise<JSONValue>;
}

export function actionSyscalls(
  calls: ActionCalls,
  meta: MetaContext,
  storage: StorageContext | null,
): SyscallTable {
  const call =
    (run: (path: string, args: Value) => Promise<FunctionResult>) =>
    async (args: SyscallArgs) =>
      valueJsonOrThrow(
        await run(addressOrThrow(args), jsonToConvex(args['args'] ?? {})),
      );
  return new SyscallTable({
    sync: {},
    async: {
      ...metaOps(meta),
      ...(storage ? storageOps(storage) : {}),
      '1.0/actions/query': call((p, a) => calls.query(p, a)),
      '1.0/actions/mutation': call((p, a) => calls.mutation(p, a)),
      '1.0/actions/action': call((p, a) => calls.action(p, a)),
      '1.0/actions/schedule': async (args) =>
        calls.schedule(jobToSchedule(args, (path) => calls.kindOf(path))),
      '1.0/actions/cancel_job': async (args) => {
        await calls.cancel(args['id'] as string);
        return null;
      },
      '1.0/actions/vectorSearch': async (args) =>
        calls.vectorSearch(args['query'] as unknown as VectorQuery),
      '1.0/createFunctionHandle': async (args) => {
        const path = addressOrThrow(args);
        if (calls.kindOf(path) === null)
          throw new Error(`Function ${path} does not exist.`);
        return functionHandle(path);
      },
    },
    serial: false,
  });
}

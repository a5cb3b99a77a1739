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
 *
 * Two tables in all (with files or without), built when this module loads;
 * an HTTP action's ops are an action's.
 */
import { type JSONValue, type Value, jsonToConvex } from 'convex/values';
import type { FunctionKind } from './execution.ts';
import { type FunctionResult, valueJsonOrThrow } from './function-result.ts';
import { type MetaRun, metaOps } from './meta-syscalls.ts';
import { type StorageRun, storageOps } from './storage-syscalls.ts';
import {
  type AsyncOps,
  type SyscallArgs,
  SyscallTable,
} from './syscall-table.ts';
import {
  addressOrThrow,
  createFunctionHandle,
  jobToSchedule,
} from './udf-syscalls.ts';
import type { VectorQuery } from './vector-search.ts';

type Identity = Record<string, JSONValue> | null;

/** What an action may call: the runner, seen through the calls an action makes, on behalf of the action's caller. */
export interface ActionCalls {
  query(path: string, args: Value, identity: Identity): Promise<FunctionResult>;
  mutation(
    path: string,
    args: Value,
    identity: Identity,
  ): Promise<FunctionResult>;
  action(
    path: string,
    args: Value,
    identity: Identity,
  ): Promise<FunctionResult>;
  schedule(job: ReturnType<typeof jobToSchedule>): Promise<string>;
  cancel(id: string): Promise<void>;
  /** The kind of the function at a canonical path, or null when there is none. */
  kindOf(path: string): FunctionKind | null;
  vectorSearch(query: VectorQuery): Promise<JSONValue>;
}

/** What an action's ops read of its run. */
export interface ActionSyscallRun extends MetaRun, StorageRun {
  readonly calls: ActionCalls;
}

/** A nested call's answer, or its failure as a rejection. */
async function called(
  run: ActionSyscallRun,
  args: SyscallArgs,
  call: 'query' | 'mutation' | 'action',
): Promise<JSONValue> {
  return valueJsonOrThrow(
    await run.calls[call](
      addressOrThrow(args),
      jsonToConvex(args['args'] ?? {}),
      run.identity,
    ),
  );
}

const actionOps: AsyncOps<ActionSyscallRun> = {
  '1.0/actions/query': async (run, args) => called(run, args, 'query'),
  '1.0/actions/mutation': async (run, args) => called(run, args, 'mutation'),
  '1.0/actions/action': async (run, args) => called(run, args, 'action'),
  '1.0/actions/schedule': async (run, args) =>
    run.calls.schedule(jobToSchedule(args, run.calls)),
  '1.0/actions/cancel_job': async (run, args) => {
    await run.calls.cancel(args['id'] as string);
    return null;
  },
  '1.0/actions/vectorSearch': async (run, args) =>
    run.calls.vectorSearch(args['query'] as unknown as VectorQuery),
  '1.0/createFunctionHandle': async (run, args) =>
    createFunctionHandle(run.calls, args),
};

function actionTable(files: boolean): SyscallTable<ActionSyscallRun> {
  return new SyscallTable<ActionSyscallRun>({
    sync: {},
    async: {
      ...metaOps('action'),
      ...(files ? storageOps('action') : {}),
      ...actionOps,
    },
  });
}

const tables = { files: actionTable(true), none: actionTable(false) };

/** The table of actions and HTTP actions, with the storage ops when the deployment keeps files. */
export function actionSyscalls(files: boolean): SyscallTable<ActionSyscallRun> {
  return files ? tables.files : tables.none;
}

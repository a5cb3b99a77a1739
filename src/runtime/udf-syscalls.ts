/**
 * The syscall tables of queries and mutations (convex-runtime.md §2.2,
 * §2.3): the database ops, the shared meta ops, nested `ctx.runQuery` /
 * `ctx.runMutation` (`1.0/runUdf`), function handles, and in mutations the
 * scheduler, whose jobs are written in the mutation's own transaction so
 * that they exist exactly when the mutation commits. The storage ops are
 * there only when the deployment keeps files.
 *
 * Four tables in all (two kinds, with files or without), built when this
 * module loads; a run brings its state to each call (udf-run.ts).
 */
import { type Value, getConvexSize, jsonToConvex } from 'convex/values';
import { DatabaseSyscalls, type DatabaseRun } from './database-syscalls.ts';
import type { FunctionKind } from './execution.ts';
import { addressedPath, functionHandle } from './function-address.ts';
import { type FunctionResult, valueJsonOrThrow } from './function-result.ts';
import {
  type TransactionalMetaRun,
  transactionalMetaOps,
} from './meta-syscalls.ts';
import { type StorageRun, storageOps } from './storage-syscalls.ts';
import {
  MAX_JOBS_SCHEDULED,
  MAX_SCHEDULED_ARGS_BYTES,
  cancelJob,
  scheduleJob,
} from './scheduled-jobs.ts';
import {
  type AsyncOps,
  type SyscallArgs,
  SyscallTable,
} from './syscall-table.ts';

export type NestedUdfType = 'query' | 'mutation' | 'snapshotQuery';

/** What a query's or mutation's ops read and change of its run. */
export interface UdfSyscallRun
  extends TransactionalMetaRun, DatabaseRun, StorageRun {
  readonly kind: 'query' | 'mutation';
  /** What `Date.now()` says in this run. */
  readonly nowMs: number;
  /** What the run has scheduled so far, against Convex's limits. */
  scheduledCount: number;
  scheduledArgsBytes: number;
  /** Runs a function inside this transaction, as a sub-transaction. */
  runNested(
    udfType: NestedUdfType,
    path: string,
    args: Value,
  ): Promise<FunctionResult>;
  /** The kind of the function at a canonical path, or null when there is none. */
  kindOf(path: string): FunctionKind | null;
}

/** What `jobToSchedule` asks of its caller. */
interface FunctionKinds {
  kindOf(path: string): FunctionKind | null;
}

const callOps: AsyncOps<UdfSyscallRun> = {
  '1.0/runUdf': async (run, args) => {
    const udfType = args['udfType'];
    if (
      udfType !== 'query' &&
      udfType !== 'mutation' &&
      udfType !== 'snapshotQuery'
    )
      throw new Error(`Invalid udfType ${JSON.stringify(udfType)}`);
    return valueJsonOrThrow(
      await run.runNested(
        udfType,
        addressOrThrow(args),
        jsonToConvex(args['args'] ?? {}),
      ),
    );
  },
  '1.0/createFunctionHandle': async (run, args) =>
    createFunctionHandle(run, args),
};

const schedulerOps: AsyncOps<UdfSyscallRun> = {
  '1.0/schedule': async (run, args) => {
    const job = jobToSchedule(args, run);
    run.scheduledCount += 1;
    run.scheduledArgsBytes += getConvexSize(job.args);
    if (run.scheduledCount > MAX_JOBS_SCHEDULED)
      throw new Error(
        `Too many functions scheduled by this mutation (limit: ${MAX_JOBS_SCHEDULED}).`,
      );
    if (run.scheduledArgsBytes > MAX_SCHEDULED_ARGS_BYTES)
      throw new Error(
        `Too many bytes of arguments to scheduled functions in this mutation (limit: ${MAX_SCHEDULED_ARGS_BYTES} bytes).`,
      );
    return scheduleJob(run.tx, job);
  },
  '1.0/cancel_job': async (run, args) => {
    await cancelJob(run.tx, args['id'] as string, run.nowMs);
    return null;
  },
};

function udfTable(
  kind: 'query' | 'mutation',
  files: boolean,
): SyscallTable<UdfSyscallRun> {
  return new SyscallTable<UdfSyscallRun>({
    sync: DatabaseSyscalls.syncOps,
    async: {
      ...DatabaseSyscalls.asyncOps,
      ...transactionalMetaOps(kind),
      ...(files ? storageOps(kind) : {}),
      ...callOps,
      ...(kind === 'mutation' ? schedulerOps : {}),
    },
  });
}

const tables = {
  query: { files: udfTable('query', true), none: udfTable('query', false) },
  mutation: {
    files: udfTable('mutation', true),
    none: udfTable('mutation', false),
  },
};

/** The table of a kind, with the storage ops when the deployment keeps files. */
export function udfSyscalls(
  kind: 'query' | 'mutation',
  files: boolean,
): SyscallTable<UdfSyscallRun> {
  return files ? tables[kind].files : tables[kind].none;
}

/** `1.0/createFunctionHandle`: a handle to a function that exists. */
export function createFunctionHandle(
  kinds: FunctionKinds,
  args: SyscallArgs,
): string {
  const path = addressOrThrow(args);
  if (kinds.kindOf(path) === null)
    throw new Error(`Function ${path} does not exist.`);
  return functionHandle(path);
}

/** The canonical path an address names; a bad address is the caller's error. */
export function addressOrThrow(args: SyscallArgs): string {
  const address = addressedPath(args);
  if (!address.success) throw new Error(address.error);
  return address.path;
}

/** The job a `schedule` call describes, once its target is known to be a mutation or an action. */
export function jobToSchedule(
  args: SyscallArgs,
  kinds: FunctionKinds,
): { name: string; args: Record<string, Value>; scheduledTime: number } {
  const name = addressOrThrow(args);
  const kind = kinds.kindOf(name);
  if (kind === null)
    throw new Error(
      `Attempted to schedule function at nonexistent path: ${name}`,
    );
  if (kind !== 'mutation' && kind !== 'action')
    throw new Error(
      `Only mutations and actions can be scheduled; ${name} is a ${kind}.`,
    );
  const ts = args['ts'];
  if (typeof ts !== 'number' || !Number.isFinite(ts))
    throw new Error('The scheduled time must be a finite number.');
  return {
    name,
    args: jsonToConvex(args['args'] ?? {}) as Record<string, Value>,
    scheduledTime: ts * 1000,
  };
}

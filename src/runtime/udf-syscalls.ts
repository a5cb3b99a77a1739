/**
 * The syscall table of a query or mutation (convex-runtime.md §2.2, §2.3):
 * the database ops, the shared meta ops, nested `ctx.runQuery` /
 * `ctx.runMutation` (`1.0/runUdf`), function handles, and in mutations the
 * scheduler, whose jobs are written in the mutation's own transaction so
 * that they exist exactly when the mutation commits.
 */
import { type Value, getConvexSize, jsonToConvex } from 'convex/values';
import type { DatabaseSyscalls } from './database-syscalls.ts';
import type { FunctionKind } from './execution.ts';
import { addressedPath, functionHandle } from './function-address.ts';
import { type FunctionResult, valueJsonOrThrow } from './function-result.ts';
import { type MetaContext, metaOps } from './meta-syscalls.ts';
import { type StorageContext, storageOps } from './storage-syscalls.ts';
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

export interface UdfSyscallContext extends MetaContext {
  kind: 'query' | 'mutation';
  tx: NonNullable<MetaContext['tx']>;
  database: DatabaseSyscalls;
  /** What `Date.now()` says in this execution. */
  nowMs: number;
  /** Runs a function inside this transaction, as a sub-transaction. */
  runNested(
    udfType: NestedUdfType,
    path: string,
    args: Value,
  ): Promise<FunctionResult>;
  /** The kind of the function at a canonical path, or null when there is none. */
  kindOf(path: string): FunctionKind | null;
  /** `ctx.storage`, when the deployment keeps files. */
  storage: StorageContext | null;
}

export function udfSyscalls(context: UdfSyscallContext): SyscallTable {
  const scheduled = { count: 0, argsBytes: 0 };
  const ops: Record<string, AsyncOps[string]> = {
    ...context.database.async,
    ...metaOps({ ...context, scheduled: () => scheduled }),
    ...(context.storage ? storageOps(context.storage) : {}),
    '1.0/runUdf': async (args) => {
      const udfType = args['udfType'];
      if (
        udfType !== 'query' &&
        udfType !== 'mutation' &&
        udfType !== 'snapshotQuery'
      )
        throw new Error(`Invalid udfType ${JSON.stringify(udfType)}`);
      return valueJsonOrThrow(
        await context.runNested(
          udfType,
          addressOrThrow(args),
          jsonToConvex(args['args'] ?? {}),
        ),
      );
    },
    '1.0/createFunctionHandle': async (args) => {
      const path = addressOrThrow(args);
      if (context.kindOf(path) === null)
        throw new Error(`Function ${path} does not exist.`);
      return functionHandle(path);
    },
  };
  if (context.kind === 'mutation') {
    ops['1.0/schedule'] = async (args) => {
      const job = jobToSchedule(args, (path) => context.kindOf(path));
      scheduled.count += 1;
      scheduled.argsBytes += getConvexSize(job.args);
      if (scheduled.count > MAX_JOBS_SCHEDULED)
        throw new Error(
          `Too many functions scheduled by this mutation (limit: ${MAX_JOBS_SCHEDULED}).`,
        );
      if (scheduled.argsBytes > MAX_SCHEDULED_ARGS_BYTES)
        throw new Error(
          `Too many bytes of arguments to scheduled functions in this mutation (limit: ${MAX_SCHEDULED_ARGS_BYTES} bytes).`,
        );
      return scheduleJob(context.tx, job);
    };
    ops['1.0/cancel_job'] = async (args) => {
      await cancelJob(context.tx, args['id'] as string, context.nowMs);
      return null;
    };
  }
  return new SyscallTable({
    sync: context.database.sync,
    async: ops,
    serial: true,
  });
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
  kindOf: (path: string) => FunctionKind | null,
): { name: string; args: Record<string, Value>; scheduledTime: number } {
  const name = addressOrThrow(args);
  const kind = kindOf(name);
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

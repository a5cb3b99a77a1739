/**
 * The ops every kind of function shares (convex-runtime.md §2.3, §2.4): the
 * caller's identity, `ctx.meta` (function, deployment and request
 * metadata, and in queries and mutations the transaction's usage against
 * Convex's limits), and `auditLog`, which Convex accepts only in queries and
 * mutations. Built once per kind; each handler reads the run it serves.
 */
import type { JSONValue } from 'convex/values';
import { limits } from '../store/limits.ts';
import type { Transaction } from '../store/store.ts';
import type { FunctionKind } from './execution.ts';
import {
  MAX_JOBS_SCHEDULED,
  MAX_SCHEDULED_ARGS_BYTES,
} from './scheduled-jobs.ts';
import type { AsyncOps } from './syscall-table.ts';

/** Convex's limit on index ranges read (`databaseQueries`). */
const MAX_DATABASE_QUERIES = limits.indexRanges;

/** What the meta ops read of a run. */
export interface MetaRun {
  /** The canonical path of the running function. */
  readonly path: string;
  readonly identity: Record<string, JSONValue> | null;
  readonly deploymentName: string;
  /** The `_scheduled_functions` job this run executes, if it is one. */
  readonly scheduledFunctionId: string | null;
  /** The run's request id: one per run, made when first asked for. */
  requestId(): string;
}

/** A query's or mutation's run: its transaction, and what it has scheduled so far. */
export interface TransactionalMetaRun extends MetaRun {
  readonly tx: Transaction;
  readonly scheduledCount: number;
  readonly scheduledArgsBytes: number;
}

const sharedOps: AsyncOps<MetaRun> = {
  '1.0/getUserIdentity': async (run) => run.identity,
  '1.0/getFunctionMetadata': async (run) => ({
    name: run.path,
    componentPath: '',
  }),
  '1.0/getDeploymentMetadata': async (run) => ({
    name: run.deploymentName,
    region: null,
    class: 'self-hosted',
  }),
};

/** Queries have no request metadata on Convex. */
const requestOps: AsyncOps<MetaRun> = {
  '1.0/getRequestMetadata': async (run) => ({
    ip: null,
    userAgent: null,
    requestId: run.requestId(),
    scheduledFunctionId: run.scheduledFunctionId,
    authToken: null,
  }),
};

const transactionOps: AsyncOps<TransactionalMetaRun> = {
  '1.0/auditLog': async () => null,
  '1.0/getTransactionMetrics': async (run) => {
    const used = run.tx.usage();
    return {
      bytesRead: metric(used.bytesRead, limits.bytesRead),
      bytesWritten: metric(used.bytesWritten, limits.bytesWritten),
      databaseQueries: metric(used.indexRanges, MAX_DATABASE_QUERIES),
      documentsRead: metric(used.documentsRead, limits.documentsRead),
      documentsWritten: metric(used.documentsWritten, limits.documentsWritten),
      functionsScheduled: metric(run.scheduledCount, MAX_JOBS_SCHEDULED),
      scheduledFunctionArgsBytes: metric(
        run.scheduledArgsBytes,
        MAX_SCHEDULED_ARGS_BYTES,
      ),
    };
  },
};

/** The meta ops of a kind of function; a query or mutation has transactionalMetaOps. */
export function metaOps(kind: FunctionKind): AsyncOps<MetaRun> {
  return kind === 'query' ? sharedOps : { ...sharedOps, ...requestOps };
}

/** The meta ops of a query or mutation. */
export function transactionalMetaOps(
  kind: 'query' | 'mutation',
): AsyncOps<TransactionalMetaRun> {
  return { ...metaOps(kind), ...transactionOps };
}

function metric(used: number, limit: number): JSONValue {
  return { used, remaining: Math.max(0, limit - used) };
}

/**
 * The ops every kind of function shares (convex-runtime.md §2.3, §2.4): the
 * caller's identity, `ctx.meta` (function, deployment and request
 * metadata, and in queries and mutations the transaction's usage against
 * Convex's limits), and `auditLog`, which Convex accepts only in queries and
 * mutations.
 */
import { randomUUID } from 'node:crypto';
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

export interface MetaContext {
  kind: FunctionKind;
  /** The canonical path of the running function. */
  path: string;
  identity: Record<string, JSONValue> | null;
  deploymentName: string;
  /** The transaction of a query or mutation, for its metrics. */
  tx?: Transaction;
  /** What the running function has scheduled so far. */
  scheduled?: () => { count: number; argsBytes: number };
  /** The `_scheduled_functions` job this run executes, if it is one. */
  scheduledFunctionId?: string | null;
}

export function metaOps(context: MetaContext): AsyncOps {
  const requestId = randomUUID();
  const transactional = context.kind === 'query' || context.kind === 'mutation';
  const ops: Record<string, AsyncOps[string]> = {
    '1.0/getUserIdentity': async () => context.identity,
    '1.0/getFunctionMetadata': async () => ({
      name: context.path,
      componentPath: '',
    }),
    '1.0/getDeploymentMetadata': async () => ({
      name: context.deploymentName,
      region: null,
      class: 'self-hosted',
    }),
  };
  if (context.kind !== 'query') {
    ops['1.0/getRequestMetadata'] = async () => ({
      ip: null,
      userAgent: null,
      requestId,
      scheduledFunctionId: context.scheduledFunctionId ?? null,
      authToken: null,
    });
  }
  if (transactional) {
    ops['1.0/auditLog'] = async () => null;
    const { tx } = context;
    if (tx) {
      ops['1.0/getTransactionMetrics'] = async () => {
        const used = tx.usage();
        const scheduled = context.scheduled?.() ?? { count: 0, argsBytes: 0 };
        const metric = (value: number, limit: number) => ({
          used: value,
          remaining: Math.max(0, limit - value),
        });
        return {
          bytesRead: metric(used.bytesRead, limits.bytesRead),
          bytesWritten: metric(used.bytesWritten, limits.bytesWritten),
          databaseQueries: metric(used.indexRanges, MAX_DATABASE_QUERIES),
          documentsRead: metric(used.documentsRead, limits.documentsRead),
          documentsWritten: metric(
            used.documentsWritten,
            limits.documentsWritten,
          ),
          functionsScheduled: metric(scheduled.count, MAX_JOBS_SCHEDULED),
          scheduledFunctionArgsBytes: metric(
            scheduled.argsBytes,
            MAX_SCHEDULED_ARGS_BYTES,
          ),
        };
      };
    }
  }
  return ops;
}

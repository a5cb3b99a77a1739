/**
 * The log tail, as `npx convex logs` and `npx convex dev` poll it
 * (convex-cli-and-guarantees.md §1.8; the CLI's `lib/logs.ts`; convex-backend
 * `crates/local_backend/src/logs.rs`):
 *
 *   GET /api/stream_function_logs?cursor=<ms>   admin key required
 *   → {entries: FunctionExecutionJson[], newCursor}
 *
 * A long poll: the answer waits until a function has finished after the
 * cursor (function-log.ts), or LONG_POLL_MS pass, which is answered with no
 * entries and the same cursor; a first poll (cursor 0) is answered at once
 * with the runs kept and a cursor to poll after. Every entry is a `Completion` carrying the
 * run's log lines and error; Converge does not stream an action's lines
 * while it runs, so there are no `Progress` entries.
 *
 * Only an admin acting as itself may tail: anyone else gets Convex's 403
 * `unauthorized_error` (`Operation stream_function_logs not permitted`).
 * When the API closes, waiting polls are answered at once, so no shutdown
 * waits on one.
 */
import type { FastifyInstance } from 'fastify';
import type { FunctionKind } from '../runtime/execution.ts';
import type { FunctionLog, FunctionLogEntry } from '../runtime/function-log.ts';
import type { Authority } from '../runtime/authenticate.ts';
import { answered } from './answer.ts';
import { adminItself } from './request-caller.ts';
import { badRequest } from './system-error.ts';

export interface LogRoutesOptions {
  authority: Authority;
  /** The runs to tail; without it the route does not exist. */
  functionLog?: FunctionLog;
}

/** How long a poll is held with nothing to say: Convex's 60 s (`stream_function_logs`). */
const LONG_POLL_MS = 60_000;

const UDF_TYPES: Record<FunctionKind, string> = {
  query: 'Query',
  mutation: 'Mutation',
  action: 'Action',
  httpAction: 'HttpAction',
};

/** Converge measures no usage per run: every figure the CLI's type asks for is 0. */
const NO_USAGE = {
  databaseReadBytes: 0,
  databaseWriteBytes: 0,
  databaseIoReadBytes: 0,
  databaseIoWriteBytes: 0,
  databaseReadDocuments: 0,
  databaseWriteDocuments: 0,
  databaseWriteIndexRows: 0,
  storageReadBytes: 0,
  storageWriteBytes: 0,
  vectorIndexReadBytes: 0,
  vectorIndexWriteBytes: 0,
  textIndexQueryBytes: 0,
  textIndexWriteQueryBytes: 0,
  vectorIndexReadQueryBytes: 0,
  vectorIndexWriteQueryBytes: 0,
  networkEgressBytes: 0,
  memoryUsedMb: 0,
};

export function registerLogRoutes(
  app: FastifyInstance,
  options: LogRoutesOptions,
): void {
  const { functionLog } = options;
  if (!functionLog) return;
  const closing = new AbortController();
  app.addHook('onClose', async () => closing.abort());
  app.get(
    '/api/stream_function_logs',
    answered(async (request) => {
      const allowed = await adminItself(
        request,
        options.authority,
        'stream_function_logs',
      );
      if (!allowed.success) return allowed.error;
      const cursor = cursorOf(request.query);
      if (cursor === null)
        return badRequest(
          'BadQueryArgs',
          'Failed to deserialize query string: `cursor` must be a number of milliseconds',
        );
      const read = await functionLog.wait(cursor, {
        timeoutMs: LONG_POLL_MS,
        signal: closing.signal,
      });
      return {
        status: 200,
        body: {
          entries: read.entries.map(completionJson),
          newCursor: read.newCursor,
        },
      };
    }),
  );
}

/** One run as Convex's `FunctionExecutionJson::Completion`: times in seconds. */
function completionJson({ sequence, record }: FunctionLogEntry) {
  const id = sequence.toString(16).padStart(16, '0');
  return {
    kind: 'Completion',
    udfType: UDF_TYPES[record.kind],
    componentPath: null,
    identifier: record.path,
    logLines: record.logLines,
    timestamp: record.endedAtMs / 1000,
    cachedResult: false,
    executionTime: record.durationMs / 1000,
    success: null,
    error: record.errorMessage,
    requestId: id,
    executionId: id,
    usageStats: NO_USAGE,
    occInfo: record.occRetries > 0 ? { retryCount: record.occRetries } : null,
    executionTimestamp: (record.endedAtMs - record.durationMs) / 1000,
    environment: 'isolate',
  };
}

function cursorOf(query: unknown): number | null {
  const value: unknown = (query as Record<string, unknown> | null)?.cursor;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const cursor = Number(value);
  return Number.isFinite(cursor) ? cursor : null;
}

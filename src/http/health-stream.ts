/**
 * The dashboard's Health figures, pushed:
 *
 *   GET /api/dashboard/health   admin key required
 *   → application/x-ndjson: one HealthSnapshot per line, the first at once,
 *     then one every second until the client goes away
 *
 * A stream rather than a route the page polls: the page shows what the
 * server says when it says it, and a second of the server's clock is what
 * its rates are measured over. Only an admin acting as itself may watch
 * (the figures name functions); anyone else gets the log tail's 403.
 * `close` ends every stream, so no shutdown waits on an open page.
 *
 * Not here: what the figures are or how they are counted (cli/health-monitor.ts).
 */
import type { Authority } from '../runtime/authenticate.ts';
import { adminItself } from './request-caller.ts';
import { errorBody, systemError } from './system-error.ts';

export interface HealthSnapshot {
  /** When the snapshot was taken, ms since the epoch. */
  at: number;
  process: {
    version: string;
    store: string;
    transport: string;
    uptimeSeconds: number;
    residentBytes: number;
    heapUsedBytes: number;
  };
  sync: { sessions: number; subscriptions: number; distinctQueries: number };
  /** Per second over the last RATE_WINDOW seconds; totals since start. */
  commits: { perSecond: number; allProcessesPerSecond: number; total: number };
  occRetries: { perSecond: number; total: number };
  /** Runs of the last minute by kind: how many, how many failed, and their latency. */
  functions: FunctionFigures[];
}

export interface FunctionFigures {
  kind: string;
  runs: number;
  failed: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Between snapshots: the rates are per second, so a faster push would only repeat them. */
const PUSH_MS = 1000;

export interface HealthStream {
  handle(request: Request): Promise<Response>;
  /** Ends every open stream. */
  close(): void;
}

export function healthStream(options: {
  authority: Authority;
  snapshot: () => HealthSnapshot;
}): HealthStream {
  const closing = new AbortController();
  return {
    async handle(request) {
      const path = new URL(request.url).pathname;
      if (path !== '/api/dashboard/health' || request.method !== 'GET')
        return Response.json(
          errorBody(
            systemError(
              'NotFound',
              'NotFound',
              `${request.method} ${path} is not a route of this deployment`,
            ),
          ),
          { status: 404 },
        );
      const allowed = await adminItself(
        { headers: Object.fromEntries(request.headers), query: undefined },
        options.authority,
        'health',
      );
      if (!allowed.success)
        return Response.json(errorBody(allowed.error), {
          status: allowed.error.status,
        });
      if (closing.signal.aborted)
        return Response.json(
          errorBody(
            systemError('Overloaded', 'ShuttingDown', 'The server is closing.'),
          ),
          { status: 503 },
        );
      const encoder = new TextEncoder();
      let timer: NodeJS.Timeout | undefined;
      let end = (): void => {};
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const push = () =>
            controller.enqueue(
              encoder.encode(`${JSON.stringify(options.snapshot())}\n`),
            );
          // Whichever comes first: the client gone, the server closing, the reader's cancel.
          end = () => {
            clearInterval(timer);
            request.signal.removeEventListener('abort', end);
            closing.signal.removeEventListener('abort', end);
            try {
              controller.close();
            } catch {
              // Already closed or cancelled.
            }
          };
          push();
          timer = setInterval(push, PUSH_MS);
          request.signal.addEventListener('abort', end);
          closing.signal.addEventListener('abort', end);
        },
        cancel: () => end(),
      });
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': 'application/x-ndjson',
          'cache-control': 'no-store',
        },
      });
    },
    close: () => closing.abort(),
  };
}

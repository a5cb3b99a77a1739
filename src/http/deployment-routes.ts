/**
 * The routes about the deployment rather than its functions (convex-backend
 * `router.rs`, `health_check_routes`; `dashboard.rs`, `check_admin_key`;
 * convex-protocol.md §6.3):
 *
 *   GET  /                      the sentence a human sees in a browser
 *   GET  /instance_name         the deployment's name, plain text
 *   GET  /instance_version      the server's version, plain text
 *   POST /echo                  the body back, for the CLI's network test
 *   GET  /health                Converge's: is the store reachable, which uWebSockets.js transport runs;
 *                               503 while the process drains, so a load balancer sends it nothing new
 *   GET  /api/check_admin_key   the dashboard's: is this admin key good, and for what
 *   GET  /metrics               Prometheus, as every Convex service has it
 */
import type { FastifyInstance } from 'fastify';
import type { Authority } from '../runtime/authenticate.ts';
import type { Timestamp } from '../store/store.ts';
import { answered } from './answer.ts';
import type { MetricsRegistry } from './metrics-registry.ts';
import { requestCaller } from './request-caller.ts';
import { badDeployKey } from './system-error.ts';

export interface DeploymentRoutesOptions {
  instanceName: string;
  version: string;
  /** Which uWebSockets.js build the front door loaded, for /health. */
  transport: string;
  latestTs: () => Promise<Timestamp>;
  authority: Authority;
  /** What `GET /metrics` shows; without it there is no such route. */
  metrics?: MetricsRegistry;
  /**
   * True once the process is shutting down: `/health` answers 503
   * `draining` from then on, whatever the store says. Without it, never.
   */
  draining?: () => boolean;
}

const RUNNING =
  'This Convex deployment is running. See https://docs.convex.dev/.';
const TEXT = 'text/plain; charset=utf-8';

export function registerDeploymentRoutes(
  app: FastifyInstance,
  options: DeploymentRoutesOptions,
): void {
  app.get('/', async (_request, reply) => reply.type(TEXT).send(RUNNING));
  app.get('/instance_name', async (_request, reply) =>
    reply.type(TEXT).send(options.instanceName),
  );
  app.get('/instance_version', async (_request, reply) =>
    reply.type(TEXT).send(options.version),
  );
  app.post('/echo', async (request, reply) => {
    const contentType = request.headers['content-type'];
    if (contentType !== undefined) reply.type(contentType);
    return reply.send(Buffer.isBuffer(request.body) ? request.body : '');
  });

  app.get('/health', async (_request, reply) => {
    const store = await storeReachable(options.latestTs);
    const draining = options.draining?.() ?? false;
    return reply.code(store.reachable && !draining ? 200 : 503).send({
      status: draining ? 'draining' : store.reachable ? 'ok' : 'unavailable',
      transport: options.transport,
      store: store.reachable ? 'reachable' : `unreachable: ${store.error}`,
    });
  });

  const { metrics } = options;
  if (metrics)
    app.get('/metrics', async (_request, reply) =>
      reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .send(metrics.render()),
    );

  app.get(
    '/api/check_admin_key',
    answered(async (request) => {
      const caller = await requestCaller(request, options.authority);
      if (!caller.success) return caller.error;
      if (caller.caller.kind !== 'admin') return badDeployKey();
      // Empty: every operation is allowed, as for a full admin key on Convex.
      return {
        status: 200,
        body: { success: true, allowedOps: [], isReadOnly: false },
      };
    }),
  );
}

/** Whether the store answers: reading its latest commit is the cheapest question. */
async function storeReachable(
  latestTs: () => Promise<Timestamp>,
): Promise<{ reachable: true } | { reachable: false; error: string }> {
  try {
    await latestTs();
    return { reachable: true };
  } catch (error) {
    return {
      reachable: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

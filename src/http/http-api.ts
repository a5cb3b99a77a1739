/**
 * HttpApi: the deployment's HTTP API as a fastify app that never listens.
 * The front door owns the port (uWebSockets.js, src/ws) and hands every
 * request that is not the sync socket to `handle`, which runs it through
 * fastify in process (`inject`) and gives back the whole response.
 *
 * What fastify does for every route, in order:
 *
 * - `OPTIONS` anything: the CORS preflight answer (cors.ts);
 * - `onRequest`: the `Convex-Client` header parsed, 400 if malformed or too
 *   old (client-version.ts);
 * - bodies reach the routes as raw bytes, decoded when the client
 *   compressed them (content-encoding.ts), at most 16 MiB + 2000 bytes
 *   (push routes: `PUSH_BODY_BYTES`; `bodyLimitOf` tells the front door),
 *   and each route reads its own JSON (json-body.ts), so the errors are
 *   Convex's rather than fastify's;
 * - `onSend`: the CORS headers of every response;
 * - `onResponse`: one log line, except for the health and meta routes.
 *
 * A throw from a route is a bug: it is logged and answered 500
 * `InternalServerError`, as Convex answers its own.
 */
import Fastify, {
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  type ClientVersion,
  UNKNOWN_CLIENT,
  clientVersionState,
  formatClientVersion,
  parseClientVersion,
} from './client-version.ts';
import { decodeBody } from './content-encoding.ts';
import { corsHeaders } from './cors.ts';
import {
  type DashboardRoutesOptions,
  registerDashboardRoutes,
} from './dashboard-routes.ts';
import {
  type DeploymentRoutesOptions,
  registerDeploymentRoutes,
} from './deployment-routes.ts';
import {
  type EnvironmentRoutesOptions,
  registerEnvironmentRoutes,
} from './environment-routes.ts';
import {
  type FunctionRoutesOptions,
  registerFunctionRoutes,
} from './function-routes.ts';
import { type LogRoutesOptions, registerLogRoutes } from './log-routes.ts';
import { registerProtocolRoutes } from './protocol-routes.ts';
import {
  type SnapshotRoutesOptions,
  registerSnapshotRoutes,
} from './snapshot-routes.ts';
import {
  PUSH_BODY_BYTES,
  PUSH_PATHS,
  type PushRoutesOptions,
  registerPushRoutes,
} from './push-routes.ts';
import {
  type SystemError,
  badRequest,
  errorBody,
  internalError,
  systemError,
} from './system-error.ts';

export interface HttpApiOptions
  extends
    DashboardRoutesOptions,
    FunctionRoutesOptions,
    DeploymentRoutesOptions,
    EnvironmentRoutesOptions,
    LogRoutesOptions,
    PushRoutesOptions,
    SnapshotRoutesOptions {
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface HttpApiRequest {
  /** Upper case. */
  method: string;
  /** The path and query string. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  remoteAddress: string;
}

export interface HttpApiResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export interface HttpApi {
  handle: (request: HttpApiRequest) => Promise<HttpApiResponse>;
  close: () => Promise<void>;
}

/** Convex's limit on a public API request body (convex-protocol.md §6.2). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024 + 2000;

/** The longest body a request to `path` may have (without its query string). */
export function bodyLimitOf(path: string): number {
  return PUSH_PATHS.has(path) ? PUSH_BODY_BYTES : MAX_BODY_BYTES;
}

/** Polled by load balancers, dashboards and scrapers: not worth a log line each. */
const QUIET_PATHS = new Set([
  '/',
  '/health',
  '/instance_name',
  '/instance_version',
  '/metrics',
]);

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: 4096 },
    // Errors fastify meets before any route (a URL it cannot decode) are
    // answered in Convex's shape too.
    frameworkErrors: (error, _request, reply) => {
      const failure = failureOf(error);
      void (reply as FastifyReply)
        .code(failure.status)
        .send(errorBody(failure));
    },
  });
  const clients = new WeakMap<FastifyRequest, ClientVersion>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    (request, body, done) => {
      const encoding = request.headers['content-encoding'];
      if (encoding === undefined) return done(null, body);
      decodeBody(encoding, body as Buffer).then(
        (decoded) => {
          if (decoded.success) done(null, decoded.body);
          else
            done(
              Object.assign(new Error(decoded.error.message), {
                statusCode: decoded.error.status,
                code: decoded.error.code,
              }),
            );
        },
        (error: unknown) => done(error as Error),
      );
    },
  );

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers['convex-client'];
    const parsed = parseClientVersion(
      Array.isArray(header) ? header[0] : header,
    );
    if (!parsed.success) return reply.code(400).send(errorBody(parsed.error));
    clients.set(request, parsed.clientVersion);
    const state = clientVersionState(parsed.clientVersion);
    if (state.state === 'Supported') return;
    reply
      .header('x-convex-deprecation-state', state.state)
      .header('x-convex-deprecation-message', state.message);
    if (state.state === 'Unsupported')
      return reply
        .code(400)
        .send(errorBody(badRequest('ClientVersionUnsupported', state.message)));
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const { vary, ...cors } = corsHeaders(
      request.headers,
      request.method === 'OPTIONS',
    );
    reply.headers(cors);
    // A route's own Vary (the dashboard's accept-encoding) is kept beside CORS's.
    const own = reply.getHeader('vary');
    const both = [vary, own === undefined ? undefined : String(own)];
    reply.header('vary', both.filter((v) => v !== undefined).join(', '));
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (QUIET_PATHS.has(path)) return;
    // An admin key in the query string stays out of the log, as on Convex.
    const shown = request.url.includes('adminKey=') ? path : request.url;
    const client = formatClientVersion(clients.get(request) ?? UNKNOWN_CLIENT);
    options.log(
      'info',
      `${request.method} ${shown} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms ${client}`,
    );
  });

  app.options('*', async (_request, reply) => reply.code(200).send());
  app.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          systemError(
            'NotFound',
            'NotFound',
            `${request.method} ${request.url.split('?')[0]} is not a route of this deployment`,
          ),
        ),
      ),
  );
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const failure = failureOf(error);
    if (failure.status === 500)
      options.log(
        'error',
        `${request.method} ${request.url}: ${error.stack ?? error.message}`,
      );
    return reply.code(failure.status).send(errorBody(failure));
  });

  const { metrics } = options;
  if (metrics) {
    const requests = metrics.counter(
      'converge_http_requests_total',
      'HTTP API requests answered, by method, route and status.',
    );
    app.addHook('onResponse', async (request, reply) => {
      requests.inc({
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      });
    });
  }
  registerFunctionRoutes(app, options);
  registerDeploymentRoutes(app, options);
  registerEnvironmentRoutes(app, options);
  registerLogRoutes(app, options);
  registerSnapshotRoutes(app, options);
  registerPushRoutes(app, options);
  registerDashboardRoutes(app, options);
  registerProtocolRoutes(app);
  await app.ready();

  return {
    async handle(request) {
      const response = await app.inject({
        method: request.method,
        url: request.url,
        headers: request.headers,
        remoteAddress: request.remoteAddress,
        ...(request.body.length > 0 ? { payload: request.body } : {}),
      });
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers))
        if (value !== undefined)
          headers[name] = typeof value === 'number' ? String(value) : value;
      return {
        status: response.statusCode,
        headers,
        body: response.rawPayload,
      };
    },
    close: () => app.close(),
  };
}

/** What fastify's own errors become: Convex's, where Convex has one. */
function failureOf(error: FastifyError): SystemError {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return badRequest(
      'BadJsonBody',
      'Failed to buffer the request body: length limit exceeded',
    );
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return { status, code: error.code, message: error.message };
  return internalError();
}

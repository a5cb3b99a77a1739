/**
 * The dashboard's page on the main port:
 *
 *   GET /dashboard            the page (index.html); `/dashboard/` too
 *   GET /dashboard/<asset>    its script and stylesheet
 *   GET /favicon.ico          204: no icon, and no 404 in the browser's console
 *
 * The page itself holds nothing secret: it asks for the admin key and then
 * talks to the deployment like any client (the sync socket, system
 * functions, `/api/check_admin_key`). Every answer carries a
 * Content-Security-Policy that lets the page load only its own files and
 * connect only to this origin, so a document's contents can never run as
 * script, and ETags, so a reload sends only what changed.
 *
 * Not here: how the files are made (cli/dashboard-bundle.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { namesEntityTag } from './entity-tag.ts';
import { errorBody, systemError } from './system-error.ts';

export interface DashboardAsset {
  type: string;
  body: Buffer;
  etag: string;
  /** The body compressed, sent to a browser that accepts it. */
  encoded: { br: Buffer; gzip: Buffer };
}

export interface DashboardAssets {
  /** The file called `name`, or null when there is none; rejects when the files cannot be made. */
  asset(name: string): Promise<DashboardAsset | null>;
}

export interface DashboardRoutesOptions {
  /** Without it there is no dashboard. */
  dashboard?: DashboardAssets;
}

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function registerDashboardRoutes(
  app: FastifyInstance,
  options: DashboardRoutesOptions,
): void {
  const { dashboard } = options;
  if (dashboard === undefined) return;
  const send = async (
    name: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => {
    let asset: DashboardAsset | null;
    try {
      asset = await dashboard.asset(name);
    } catch (error) {
      return reply
        .code(500)
        .send(
          errorBody(
            systemError(
              'Internal',
              'DashboardUnavailable',
              `The dashboard could not be built: ${error instanceof Error ? error.message : String(error)}`,
            ),
          ),
        );
    }
    if (asset === null)
      return reply
        .code(404)
        .send(
          errorBody(
            systemError(
              'NotFound',
              'NotFound',
              `The dashboard has no file ${name}`,
            ),
          ),
        );
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-encoding')
      .header('etag', asset.etag);
    if (namesEntityTag(request.headers['if-none-match'], asset.etag))
      return reply.code(304).send();
    const encoding = chosenEncoding(request.headers['accept-encoding']);
    if (encoding !== null) reply.header('content-encoding', encoding);
    return reply
      .code(200)
      .type(asset.type)
      .send(encoding === null ? asset.body : asset.encoded[encoding]);
  };
  // Browsers ask for it on every page of the origin; there is none, and a
  // 404 would be an error in every console.
  app.get('/favicon.ico', (_request, reply) =>
    reply.code(204).header('cache-control', 'max-age=86400').send(),
  );
  app.get('/dashboard', (request, reply) => send('index.html', request, reply));
  app.get('/dashboard/', (request, reply) =>
    send('index.html', request, reply),
  );
  app.get<{ Params: { asset: string } }>(
    '/dashboard/:asset',
    (request, reply) => send(request.params.asset, request, reply),
  );
}

/** Brotli when the browser takes it (every current one does), else gzip, else none. */
function chosenEncoding(
  header: string | string[] | undefined,
): 'br' | 'gzip' | null {
  const accepted = new Set<string>();
  for (const part of (Array.isArray(header)
    ? header.join(',')
    : (header ?? '')
  ).split(',')) {
    const [name = '', ...parameters] = part.split(';').map((p) => p.trim());
    // `br;q=0` says "not brotli".
    if (name !== '' && !parameters.some((p) => /^q=0(\.0*)?$/.test(p)))
      accepted.add(name.toLowerCase());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

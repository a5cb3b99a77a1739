/**
 * CORS as a Convex deployment answers it (convex-backend `router.rs`,
 * `cors()`, a tower-http `CorsLayer`): any origin may call, with
 * credentials, because the API is authenticated by header, never by cookie.
 *
 * - Every response mirrors the request's `Origin` (none, none sent), allows
 *   credentials and varies on the three request headers CORS reads.
 * - Every `OPTIONS` request is a preflight, answered at once with 200 and no
 *   body: the six methods, the mirrored `Access-Control-Request-Headers`,
 *   and a max-age of one day.
 */

export type HeaderBag = Record<string, string | string[] | undefined>;

const ALLOWED_METHODS = 'GET,POST,OPTIONS,PATCH,DELETE,PUT';
const MAX_AGE_S = 86_400;
const VARY =
  'origin, access-control-request-method, access-control-request-headers';

export function corsHeaders(
  request: HeaderBag,
  preflight: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-credentials': 'true',
    vary: VARY,
  };
  const origin = first(request.origin);
  if (origin !== undefined) headers['access-control-allow-origin'] = origin;
  if (!preflight) return headers;
  headers['access-control-allow-methods'] = ALLOWED_METHODS;
  const requested = first(request['access-control-request-headers']);
  if (requested !== undefined)
    headers['access-control-allow-headers'] = requested;
  headers['access-control-max-age'] = String(MAX_AGE_S);
  return headers;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

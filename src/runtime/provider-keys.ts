/**
 * Where an identity provider's public keys come from, each fetched once and
 * cached for the life of the verifier:
 *
 * - OIDC: the discovery document `<iss>/.well-known/openid-configuration`,
 *   which must name the same issuer, then its `jwks_uri`;
 * - custom JWT: its `jwks`, fetched over http(s) (status 200 and a JSON
 *   content type, as Convex's `fetch_jwks` asks), decoded from a `data:` URI,
 *   or read from a file.
 *
 * Remote key sets are jose's `createRemoteJWKSet`, which refetches at most
 * every 30 s when a token names an unknown `kid` (key rotation) and after
 * 10 minutes in any case. Discovery documents are kept as long. Files are
 * read for each token, so that a development key can change under a running
 * server.
 *
 * Failures are values. The one exception crosses jose: a key set's fetch
 * runs inside jose's verification, so it throws a `KeySourceError` carrying
 * the failure, which the verifier turns back into a value.
 */
import { readFile } from 'node:fs/promises';
import {
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
} from 'jose';
import type { JwksSource } from './auth-config.ts';
import { type AuthFailure, authFailures } from './auth-failure.ts';

/** jose's default JWKS timeout, used for discovery too. */
const FETCH_TIMEOUT_MS = 5_000;
/** jose's default JWKS `cacheMaxAge`, used for discovery documents too. */
const DISCOVERY_MAX_AGE_MS = 600_000;
const JWKS_MEDIA_TYPES = ['application/json', 'application/jwk-set+json'];

export type Discovery =
  | { success: true; issuer: string; jwksUri: string }
  | { success: false; error: AuthFailure };

export type KeySet =
  | { success: true; keys: JWTVerifyGetKey }
  | { success: false; error: AuthFailure };

/** A key source's failure, thrown from inside jose's verification only. */
export class KeySourceError extends Error {
  readonly failure: AuthFailure;

  constructor(failure: AuthFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

export class ProviderKeys {
  /** By issuer; a failed discovery is forgotten once it settles. */
  readonly #discoveries = new Map<
    string,
    { fetchedAt: number; result: Promise<Discovery> }
  >();
  /** By JWKS URL, one per kind of provider (their checks differ). */
  readonly #remote = new Map<string, JWTVerifyGetKey>();

  async discover(issuer: string): Promise<Discovery> {
    const cached = this.#discoveries.get(issuer);
    if (cached && Date.now() - cached.fetchedAt < DISCOVERY_MAX_AGE_MS)
      return cached.result;
    const result = fetchDiscovery(issuer);
    this.#discoveries.set(issuer, { fetchedAt: Date.now(), result });
    const settled = await result;
    if (!settled.success && this.#discoveries.get(issuer)?.result === result)
      this.#discoveries.delete(issuer);
    return settled;
  }

  /** The key set a discovery document names; its fetch failures are discovery failures. */
  oidcKeys(discovery: { issuer: string; jwksUri: string }): JWTVerifyGetKey {
    return this.#remoteKeys(`oidc ${discovery.jwksUri}`, discovery.jwksUri, {
      unreachable: () => authFailures.discoveryFailed(discovery.issuer),
      status: (status, body) =>
        authFailures.discoveryFailed(discovery.issuer, `${status} ${body}`),
      contentType: null,
      body: () => authFailures.discoveryFailed(discovery.issuer),
    });
  }

  async customJwtKeys(source: JwksSource): Promise<KeySet> {
    switch (source.kind) {
      case 'url':
        return {
          success: true,
          keys: this.#remoteKeys(`customJwt ${source.url}`, source.url, {
            unreachable: (why) => authFailures.jwksUnreachable(source.url, why),
            status: (status) => authFailures.jwksStatus(source.url, status),
            contentType: (type) =>
              authFailures.jwksContentType(source.url, type),
            body: () => authFailures.jwksBody(source.url),
          }),
        };
      case 'data':
        return localKeys(await readDataUri(source.uri), source.uri);
      case 'file':
        return localKeys(await readJwksFile(source.path), source.path);
    }
  }

  #remoteKeys(
    cacheKey: string,
    url: string,
    failures: RemoteFailures,
  ): JWTVerifyGetKey {
    let keys = this.#remote.get(cacheKey);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(url), {
        [customFetch]: (resource, init) =>
          fetchKeySet(resource, init, failures),
      });
      this.#remote.set(cacheKey, keys);
    }
    return keys;
  }
}

interface RemoteFailures {
  unreachable: (why: string) => AuthFailure;
  status: (status: number, body: string) => AuthFailure;
  /** Null: any content type is accepted. */
  contentType: ((contentType: string) => AuthFailure) | null;
  body: () => AuthFailure;
}

async function fetchDiscovery(issuer: string): Promise<Discovery> {
  const failed = (detail?: string): Discovery => ({
    success: false,
    error: authFailures.discoveryFailed(issuer, detail),
  });
  let url: URL;
  try {
    url = new URL(
      `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    );
  } catch {
    return failed();
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    text = await response.text();
  } catch {
    return failed();
  }
  if (response.status !== 200)
    return failed(
      `${response.status} ${response.statusText || 'Unknown'} ${text}`.trimEnd(),
    );
  const document = parseJson(text);
  // OpenID Connect Discovery §4.3: the document names the issuer it was fetched for.
  if (
    !isRecord(document) ||
    document.issuer !== issuer ||
    typeof document.jwks_uri !== 'string' ||
    !/^https?:\/\//.test(document.jwks_uri)
  )
    return failed();
  return { success: true, issuer, jwksUri: document.jwks_uri };
}

/** jose's fetch of a remote key set, with Convex's checks and messages. */
async function fetchKeySet(
  url: string,
  init: RequestInit,
  failures: RemoteFailures,
): Promise<Response> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, init);
    text = await response.text();
  } catch (error) {
    throw new KeySourceError(
      failures.unreachable(
        error instanceof Error ? error.message : String(error),
      ),
    );
  }
  if (response.status !== 200)
    throw new KeySourceError(failures.status(response.status, text));
  const contentType = response.headers.get('content-type') ?? 'unknown';
  if (failures.contentType && !isJwksContentType(contentType))
    throw new KeySourceError(failures.contentType(contentType));
  if (!isKeySet(parseJson(text))) throw new KeySourceError(failures.body());
  return new Response(text, { status: 200 });
}

function isJwksContentType(contentType: string): boolean {
  const [essence = '', ...parameters] = contentType
    .split(';')
    .map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) =>
    parameter.startsWith('charset='),
  );
  return (
    JWKS_MEDIA_TYPES.includes(essence) &&
    (charset === undefined || charset === 'charset=utf-8')
  );
}

type Read =
  { success: true; text: string } | { success: false; error: AuthFailure };

/** A `data:` URI's content, whatever its media type (Convex does not check it). */
async function readDataUri(uri: string): Promise<Read> {
  try {
    const response = await fetch(uri);
    return { success: true, text: await response.text() };
  } catch {
    return { success: false, error: authFailures.jwksDataUrl() };
  }
}

async function readJwksFile(path: string): Promise<Read> {
  try {
    return { success: true, text: await readFile(path, 'utf8') };
  } catch (error) {
    return {
      success: false,
      error: authFailures.jwksFile(
        path,
        error instanceof Error ? error.message : String(error),
      ),
    };
  }
}

function localKeys(read: Read, where: string): KeySet {
  if (!read.success) return read;
  const keySet = parseJson(read.text);
  if (!isKeySet(keySet))
    return { success: false, error: authFailures.jwksBody(where) };
  return { success: true, keys: createLocalJWKSet(keySet) };
}

function isKeySet(value: unknown): value is JSONWebKeySet {
  return (
    isRecord(value) &&
    Array.isArray(value.keys) &&
    value.keys.every((key) => isRecord(key))
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The identity providers of a functions directory: the default export of its
 * `auth.config.ts` (`{providers: [...]}`), checked and normalised as the Convex
 * backend reads it (`common/src/auth.rs`, `SerializedAuthInfo`):
 *
 * - an OIDC provider `{domain, applicationID}`, whose keys come from OpenID
 *   Connect discovery on the token's issuer;
 * - a custom JWT provider `{type: "customJwt", issuer, jwks, algorithm,
 *   applicationID?}`, whose keys come from `jwks`: an http(s) URL or a `data:`
 *   URI as on Convex, and, for offline development here, a `file:` URL or an
 *   absolute path.
 *
 * A domain or issuer without a scheme gets `https://`, as on Convex; `http://`
 * is allowed (local providers). Checking a token against a provider is here
 * too (`providerMatchesToken`); verifying it is `identity-verifier.ts`.
 *
 * Bad configuration is a value naming the offending field, never a throw.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The algorithms a custom JWT provider may name (Convex supports only these two). */
export type SignatureAlgorithm = 'RS256' | 'ES256';

export type JwksSource =
  | { kind: 'url'; url: string }
  | { kind: 'data'; uri: string }
  | { kind: 'file'; path: string };

export interface OidcProvider {
  type: 'oidc';
  /** Normalised: has a scheme; trailing slashes are kept as written. */
  domain: string;
  applicationID: string;
}

export interface CustomJwtProvider {
  type: 'customJwt';
  /** Normalised as `OidcProvider.domain`. */
  issuer: string;
  jwks: JwksSource;
  algorithm: SignatureAlgorithm;
  /** Null: the token's `aud` is not checked (Convex warns this is often insecure). */
  applicationID: string | null;
}

export type AuthProvider = OidcProvider | CustomJwtProvider;

export type AuthConfigResult =
  | { success: true; providers: AuthProvider[] }
  | { success: false; error: string };

/** `auth.config.ts`'s default export (null when the directory has none) → its providers. */
export function parseAuthConfig(config: unknown): AuthConfigResult {
  if (config === null || config === undefined)
    return { success: true, providers: [] };
  if (!isRecord(config) || !Array.isArray(config.providers))
    return {
      success: false,
      error:
        'auth.config.ts: the default export must be an object with a "providers" array',
    };
  const providers: AuthProvider[] = [];
  for (const [index, entry] of config.providers.entries()) {
    const parsed = parseProvider(entry);
    if (typeof parsed === 'string')
      return {
        success: false,
        error: `auth.config.ts: providers[${index}]: ${parsed}`,
      };
    providers.push(parsed);
  }
  return { success: true, providers };
}

/**
 * Whether a token with this (unverified) issuer and these audiences is for
 * this provider: its `aud` must contain the applicationID when the provider
 * has one, and its `iss`, given `https://` when it has no scheme, must equal
 * the provider's domain or issuer up to trailing slashes (Auth0's tokens have
 * one where developers often write none). Convex's `AuthInfo::matches_token`.
 */
export function providerMatchesToken(
  provider: AuthProvider,
  audiences: readonly string[],
  issuer: string,
): boolean {
  if (
    provider.applicationID !== null &&
    !audiences.includes(provider.applicationID)
  )
    return false;
  const expected = provider.type === 'oidc' ? provider.domain : provider.issuer;
  return trimSlashes(expected) === trimSlashes(withScheme(issuer));
}

/** A token issuer without a scheme, as some providers write it, read as https. */
export function withScheme(issuer: string): string {
  return issuer.startsWith('https://') || issuer.startsWith('http://')
    ? issuer
    : `https://${issuer}`;
}

export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

function parseProvider(entry: unknown): AuthProvider | string {
  if (!isRecord(entry)) return 'a provider must be an object';
  if (entry.type === 'customJwt') return parseCustomJwt(entry);
  if (entry.type !== undefined)
    return `unknown provider type ${JSON.stringify(entry.type)} (expected "customJwt", or no type for an OIDC provider)`;
  if (typeof entry.applicationID !== 'string')
    return 'an OIDC provider needs "applicationID", a string';
  if (typeof entry.domain !== 'string')
    return 'an OIDC provider needs "domain", a string';
  const domain = issuerUrl(entry.domain);
  if (!domain.success) return domain.error;
  return {
    type: 'oidc',
    domain: domain.url,
    applicationID: entry.applicationID,
  };
}

function parseCustomJwt(entry: Record<string, unknown>): AuthProvider | string {
  if (typeof entry.issuer !== 'string')
    return 'a customJwt provider needs "issuer", a string';
  const issuer = issuerUrl(entry.issuer);
  if (!issuer.success) return issuer.error;
  if (entry.algorithm !== 'RS256' && entry.algorithm !== 'ES256')
    return `Invalid signature algorithm (only RS256 and ES256 are supported): ${JSON.stringify(entry.algorithm)}`;
  const applicationID = entry.applicationID ?? null;
  if (applicationID !== null && typeof applicationID !== 'string')
    return '"applicationID" must be a string when given';
  if (typeof entry.jwks !== 'string')
    return 'a customJwt provider needs "jwks", a string';
  const jwks = jwksSource(entry.jwks);
  if (typeof jwks === 'string') return jwks;
  return {
    type: 'customJwt',
    issuer: issuer.url,
    jwks,
    algorithm: entry.algorithm,
    applicationID,
  };
}

/**
 * Convex's `deserialize_issuer_url`: no scheme means https (and then the host
 * must look like a domain, to catch a token pasted into the field); http and
 * https are allowed, nothing else. Convex checks the top-level domain against
 * the real list; this only asks for an alphabetic last label.
 */
function issuerUrl(
  original: string,
): { success: true; url: string } | { success: false; error: string } {
  const hadScheme = /^\w+:\/\//.test(original);
  const url = hadScheme ? original : `https://${original}`;
  const invalid = (why: string) => ({
    success: false as const,
    error: `Invalid provider domain URL "${original}": ${why}`,
  });
  if (!url.startsWith('https://') && !url.startsWith('http://'))
    return invalid('must use HTTPS');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid('not a URL');
  }
  if (
    !hadScheme &&
    parsed.hostname !== 'localhost' &&
    !/\.(?:[a-z]{2,}|xn--[a-z0-9-]+)$/i.test(parsed.hostname)
  )
    return invalid(
      'Does not look like a URL (must have a scheme or end with a top-level domain)',
    );
  return { success: true, url };
}

function jwksSource(jwks: string): JwksSource | string {
  if (jwks.startsWith('data:')) return { kind: 'data', uri: jwks };
  if (jwks.startsWith('https://') || jwks.startsWith('http://')) {
    try {
      new URL(jwks);
    } catch {
      return `Invalid JWKS URL '${jwks}'. Check that the URL in your auth config is properly formatted.`;
    }
    return { kind: 'url', url: jwks };
  }
  if (jwks.startsWith('file:')) {
    try {
      return { kind: 'file', path: fileURLToPath(jwks) };
    } catch {
      return `Invalid JWKS file URL '${jwks}'`;
    }
  }
  if (isAbsolute(jwks)) return { kind: 'file', path: jwks };
  return `"jwks" must be an http(s) URL, a data: URI, a file: URL or an absolute path, got ${JSON.stringify(jwks)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

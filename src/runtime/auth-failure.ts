/**
 * Why a token was refused: the one catalogue of authentication failures, each
 * a short code and the message a client sees (the `error` of an `AuthError`
 * frame, or the body of an HTTP 401/400). Texts are the Convex backend's
 * (`crates/authentication/src/lib.rs`, `validate_id_token` and `fetch_jwks`)
 * wherever it has one, so that users can search for them; the few Converge
 * texts (JWKS files, the development secret) say so in their wording.
 *
 * The codes are Convex's `ErrorMetadata` short codes. All are
 * "unauthenticated" except `AuthProviderDiscoveryFailed`, a bad request.
 */
import { STATUS_CODES } from 'node:http';
import type { AuthProvider } from './auth-config.ts';

export type AuthErrorCode =
  | 'InvalidAuthHeader'
  | 'NoAuthProvider'
  | 'Unauthenticated'
  | 'AuthProviderDiscoveryFailed';

export interface AuthFailure {
  code: AuthErrorCode;
  message: string;
}

const invalid = (message: string): AuthFailure => ({
  code: 'InvalidAuthHeader',
  message,
});

export const authFailures = {
  unparsable: () =>
    invalid(
      'Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.',
    ),
  missingIssuer: () =>
    invalid(
      "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
    ),
  noProvider: (providers: readonly AuthProvider[]): AuthFailure => ({
    code: 'NoAuthProvider',
    message:
      providers.length === 0
        ? 'No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.'
        : `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [${providers.map(describeProvider).join(', ')}]`,
  }),
  /** `detail` is the discovery response's status and body, when there was one. */
  discoveryFailed: (issuer: string, detail?: string): AuthFailure => ({
    code: 'AuthProviderDiscoveryFailed',
    message: `Auth provider discovery of ${issuer} failed${detail === undefined ? '' : `: ${detail}`}`,
  }),
  notOidcToken: () =>
    invalid(
      'Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT.',
    ),
  oidcUnverified: (): AuthFailure => ({
    code: 'Unauthenticated',
    message:
      "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.",
  }),
  jwksDataUrl: () =>
    invalid(
      'Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON.',
    ),
  jwksUnreachable: (uri: string, why: string) =>
    invalid(
      `Could not fetch JWKS from URL '${uri}': ${why}. Check that the URL is correct and accessible.`,
    ),
  jwksStatus: (uri: string, status: number) =>
    invalid(
      `Could not fetch JWKS from URL '${uri}': HTTP ${status} ${STATUS_CODES[status] ?? 'Unknown'}. Check that the URL is correct and accessible.`,
    ),
  jwksContentType: (uri: string, contentType: string) =>
    invalid(
      `Invalid Content-Type '${contentType}' when fetching JWKS from '${uri}'. Expected 'application/json' or 'application/jwk-set+json'.`,
    ),
  jwksBody: (uri: string) =>
    invalid(
      `Invalid JWKS response body from '${uri}'. The response is not valid JSON or doesn't match the expected JWKS format.`,
    ),
  jwksFile: (path: string, why: string) =>
    invalid(`Could not read the JWKS file '${path}': ${why}`),
  missingKid: () =>
    invalid(
      "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
    ),
  unknownKid: (kid: string) =>
    invalid(
      `Could not decode token. The JWT's 'kid' (key ID) header is '${kid}', does this key match any key in the provider's JWKS?`,
    ),
  wrongIssuer: (tokenIssuer: string, issuer: string) =>
    invalid(`Invalid issuer: ${tokenIssuer} != ${issuer}`),
  missingAudience: () =>
    invalid(
      "Missing audience claim ('aud') in JWT payload. The JWT must include an 'aud' claim that matches your configured application ID.",
    ),
  wrongAudience: (applicationID: string, audiences: readonly string[]) =>
    invalid(
      `Invalid audience: ${applicationID} not in [${audiences.map((audience) => JSON.stringify(audience)).join(', ')}]`,
    ),
  /** `why` as biscuit words it: "Token expired 12 seconds ago". */
  notValidNow: (why: string) => invalid(`Could not validate token: ${why}`),
  claimsUnverified: () =>
    invalid(
      'Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider configuration.',
    ),
  devSecretMismatch: () =>
    invalid(
      'Could not verify the HS256 token with the development JWT secret (--jwt-secret / CONVERGE_JWT_SECRET). Check that the token was signed with it.',
    ),
} as const satisfies Record<string, (...args: never[]) => AuthFailure>;

/** As Convex lists the configured providers in its NoAuthProvider message. */
function describeProvider(provider: AuthProvider): string {
  return provider.type === 'oidc'
    ? `OIDC(domain=${provider.domain}, app_id=${provider.applicationID})`
    : `CustomJWT(issuer=${provider.issuer}, app_id=${provider.applicationID ?? 'none'})`;
}

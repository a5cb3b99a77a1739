/**
 * IdentityVerifier: a client's token → the `UserIdentity` its functions see,
 * with the token's expiry, or why it was refused. It does what the Convex
 * backend's `validate_id_token` does, in the same order, with the same texts:
 *
 * 1. Read the token's claims without trusting them, to route it: a provider
 *    matches when its applicationID is among the `aud`s (if it has one) and
 *    its domain or issuer equals the `iss` (auth-config.ts).
 * 2. OIDC: discovery on the token's issuer, the key set it names, then the
 *    ID token's checks (openidconnect's `CoreIdTokenVerifier`): a signature
 *    by RS256 or EdDSA, here also ES256; `iss` equal to the discovered
 *    issuer; `aud` exactly the applicationID; not expired, to the second,
 *    without leeway.
 * 3. Custom JWT: the provider's key set, a `kid` that names one of its keys,
 *    the provider's algorithm, `iss` and `aud`, then the time claims with
 *    5 s of leeway (biscuit's checks), then `sub` and `exp` present.
 *
 * Converge adds one thing for development without an identity provider: with
 * a shared secret configured (`--jwt-secret`), an HS256 token signed with it
 * is accepted whatever its issuer, needing only `iss` and `sub` (and, like a
 * custom JWT, not expired when it has `exp`).
 *
 * Not here: identity versions, `AuthError` frames, HTTP statuses (the sync
 * and HTTP layers), admin keys (admin-key.ts).
 */
import {
  type JWTVerifyGetKey,
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
} from 'jose';
import {
  type AuthProvider,
  type CustomJwtProvider,
  providerMatchesToken,
  trimSlashes,
  withScheme,
} from './auth-config.ts';
import { type AuthFailure, authFailures } from './auth-failure.ts';
import { KeySourceError, ProviderKeys } from './provider-keys.ts';
import {
  type UserIdentity,
  customJwtIdentity,
  oidcIdentity,
} from './user-identity.ts';

export type VerifiedIdentity =
  | {
      success: true;
      identity: UserIdentity;
      /** When the identity stops being valid (`exp`, in ms); null: never (a development token without `exp`). */
      expiresAtMs: number | null;
    }
  | { success: false; error: AuthFailure };

export interface IdentityVerifierOptions {
  /** The HS256 secret of development tokens (`--jwt-secret`); unset, none are accepted. */
  jwtSecret?: string | undefined;
  /** The clock, in ms since the epoch. */
  now?: () => number;
}

/** Algorithms of OIDC ID tokens: Convex's RS256 and EdDSA, and ES256. */
const OIDC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
/** biscuit's `epsilon` on a custom JWT's `exp`, `nbf` and `iat`, as Convex sets it. */
const CUSTOM_JWT_LEEWAY_S = 5;

type Claims = Record<string, unknown>;

export class IdentityVerifier {
  #providers: readonly AuthProvider[];
  readonly #secret: Uint8Array | null;
  readonly #now: () => number;
  readonly #keys = new ProviderKeys();

  constructor(
    providers: readonly AuthProvider[],
    options: IdentityVerifierOptions = {},
  ) {
    this.#providers = providers;
    this.#secret =
      options.jwtSecret === undefined
        ? null
        : new TextEncoder().encode(options.jwtSecret);
    this.#now = options.now ?? Date.now;
  }

  /** The providers of new code: tokens are checked against them from now on. */
  replaceProviders(providers: readonly AuthProvider[]): void {
    this.#providers = providers;
  }

  /** False with no providers and no development secret: no token can be verified. */
  get canVerify(): boolean {
    return this.#providers.length > 0 || this.#secret !== null;
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    let claims: Claims;
    let algorithm: unknown;
    try {
      claims = decodeJwt(token);
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      return refused(authFailures.unparsable());
    }
    const { iss } = claims;
    if (iss === undefined) return refused(authFailures.missingIssuer());
    const audiences = audiencesOf(claims.aud);
    if (typeof iss !== 'string' || audiences === null)
      return refused(authFailures.unparsable());

    if (this.#secret !== null && algorithm === 'HS256')
      return this.#verifyDevelopmentToken(token, this.#secret);
    const provider = this.#providers.find((candidate) =>
      providerMatchesToken(candidate, audiences, iss),
    );
    if (provider === undefined)
      return refused(authFailures.noProvider(this.#providers));
    return provider.type === 'oidc'
      ? this.#verifyOidc(token, iss, provider.applicationID)
      : this.#verifyCustomJwt(token, provider);
  }

  async #verifyOidc(
    token: string,
    issuer: string,
    applicationID: string,
  ): Promise<VerifiedIdentity> {
    const discovery = await this.#keys.discover(issuer);
    if (!discovery.success) return discovery;
    if (!isIdToken(decodeJwt(token)))
      return refused(authFailures.notOidcToken());
    const verified = await verifySignature(
      token,
      this.#keys.oidcKeys(discovery),
      OIDC_ALGORITHMS,
    );
    if (!verified.success)
      return refused(verified.error ?? authFailures.oidcUnverified());
    const claims = verified.claims;
    const audiences = audiencesOf(claims.aud) ?? [];
    const exp = claims.exp;
    if (
      claims.iss !== discovery.issuer ||
      // openidconnect refuses a token for more than one audience.
      audiences.length !== 1 ||
      audiences[0] !== applicationID ||
      typeof exp !== 'number' ||
      exp <= this.#nowSeconds()
    )
      return refused(authFailures.oidcUnverified());
    const identity = oidcIdentity(claims);
    if (!identity.success) return refused(authFailures.notOidcToken());
    return {
      success: true,
      identity: identity.identity,
      expiresAtMs: exp * 1000,
    };
  }

  async #verifyCustomJwt(
    token: string,
    provider: CustomJwtProvider,
  ): Promise<VerifiedIdentity> {
    const keySet = await this.#keys.customJwtKeys(provider.jwks);
    if (!keySet.success) return keySet;
    const { kid } = decodeProtectedHeader(token);
    // biscuit's `decode_with_jwks` picks the key by `kid` only.
    if (kid === undefined) return refused(authFailures.missingKid());
    const verified = await verifySignature(token, keySet.keys, [
      provider.algorithm,
    ]);
    if (!verified.success)
      return refused(verified.error ?? authFailures.unknownKid(kid));
    const claims = verified.claims;
    if (typeof claims.iss !== 'string')
      return refused(authFailures.missingIssuer());
    if (trimSlashes(withScheme(claims.iss)) !== trimSlashes(provider.issuer))
      return refused(authFailures.wrongIssuer(claims.iss, provider.issuer));
    if (provider.applicationID !== null) {
      if (claims.aud === undefined)
        return refused(authFailures.missingAudience());
      const audiences = audiencesOf(claims.aud) ?? [];
      if (!audiences.includes(provider.applicationID))
        return refused(
          authFailures.wrongAudience(provider.applicationID, audiences),
        );
    }
    const notValid = this.#notValidNow(claims);
    if (notValid !== null) return refused(authFailures.notValidNow(notValid));
    const { iss, sub, exp } = claims;
    if (typeof sub !== 'string' || typeof exp !== 'number')
      return refused(authFailures.claimsUnverified());
    return {
      success: true,
      identity: customJwtIdentity({ ...claims, iss, sub }),
      expiresAtMs: exp * 1000,
    };
  }

  async #verifyDevelopmentToken(
    token: string,
    secret: Uint8Array,
  ): Promise<VerifiedIdentity> {
    const verified = await verifySignature(token, secret, ['HS256']);
    if (!verified.success) return refused(authFailures.devSecretMismatch());
    const claims = verified.claims;
    const notValid = this.#notValidNow(claims);
    if (notValid !== null) return refused(authFailures.notValidNow(notValid));
    const { iss, sub, exp } = claims;
    if (
      typeof iss !== 'string' ||
      typeof sub !== 'string' ||
      (exp !== undefined && typeof exp !== 'number')
    )
      return refused(authFailures.claimsUnverified());
    return {
      success: true,
      identity: customJwtIdentity({ ...claims, iss, sub }),
      expiresAtMs: exp === undefined ? null : exp * 1000,
    };
  }

  /** biscuit's temporal checks (`exp`, then `nbf`, then `iat`) in its words, or null. */
  #notValidNow(claims: Claims): string | null {
    const now = this.#nowSeconds();
    const { exp, nbf, iat } = claims;
    if (typeof exp === 'number' && now - exp > CUSTOM_JWT_LEEWAY_S)
      return `Token expired ${Math.floor(now - exp)} seconds ago`;
    for (const start of [nbf, iat])
      if (typeof start === 'number' && start - now > CUSTOM_JWT_LEEWAY_S)
        return `Token will be valid in ${Math.floor(start - now)} seconds`;
    return null;
  }

  /** Convex reads its clock to the second. */
  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}

function refused(error: AuthFailure): VerifiedIdentity {
  return { success: false, error };
}

/**
 * The signature checked, and the claims it covers. A failure to fetch the
 * keys carries its own reason; any other failure has none (the caller knows
 * what to say).
 */
async function verifySignature(
  token: string,
  key: JWTVerifyGetKey | Uint8Array,
  algorithms: string[],
): Promise<
  | { success: true; claims: Claims }
  | { success: false; error: AuthFailure | null }
> {
  try {
    const { payload } =
      key instanceof Uint8Array
        ? await compactVerify(token, key, { algorithms })
        : await compactVerify(token, key, { algorithms });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      return { success: false, error: null };
    return { success: true, claims: { ...claims } };
  } catch (error) {
    return {
      success: false,
      error: error instanceof KeySourceError ? error.failure : null,
    };
  }
}

/** `aud` as a list; null when it is neither a string nor a list of strings. */
function audiencesOf(aud: unknown): string[] | null {
  if (aud === undefined) return [];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((item) => typeof item === 'string'))
    return aud;
  return null;
}

/** The claims openidconnect requires to parse an ID token at all. */
function isIdToken(claims: Claims): boolean {
  return (
    typeof claims.iss === 'string' &&
    typeof claims.sub === 'string' &&
    typeof claims.exp === 'number' &&
    typeof claims.iat === 'number' &&
    audiencesOf(claims.aud) !== null &&
    oidcIdentity(claims).success
  );
}

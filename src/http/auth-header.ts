/**
 * The credential an HTTP request presents, read as convex-backend's
 * `ExtractAuthenticationToken` reads it (`crates/local_backend/src/
 * authentication.rs`, `crates/authentication/src/lib.rs`):
 *
 * - `Authorization: Convex <key>` (the scheme in any case) is an admin key;
 *   `Convex <key>:<base64 of a JSON identity>` an admin acting as that user.
 *   A `prod:`-style prefix before the deployment name is dropped first, so
 *   its colon is not taken for the identity's.
 * - `Authorization: Bearer <jwt>` (any case) is a user token.
 * - A header shorter than the 7 characters of either scheme is 400
 *   `InvalidHeaderFailure`; any other scheme 400 `InvalidAdminKey`; an
 *   identity that is not base64 JSON of a user identity 400
 *   `HeaderParseFailure`.
 * - Without the header, an `adminKey` query parameter is an admin key.
 *
 * Whether the key or token is any good is authenticate.ts's question.
 */
import type { Credential } from '../runtime/authenticate.ts';
import { impersonatedIdentity } from '../runtime/user-identity.ts';
import { type SystemError, badRequest } from './system-error.ts';

export type CredentialResult =
  | { success: true; credential: Credential }
  | { success: false; error: SystemError };

const SCHEME_LENGTH = 'convex '.length;

export function credentialOf(
  authorization: string | undefined,
  adminKeyParameter: string | undefined,
): CredentialResult {
  if (authorization === undefined)
    return {
      success: true,
      credential:
        adminKeyParameter === undefined
          ? { kind: 'none' }
          : { kind: 'admin', key: adminKeyParameter, actingAs: null },
    };
  if (authorization.length < SCHEME_LENGTH)
    return refused(
      badRequest('InvalidHeaderFailure', 'Invalid authentication header'),
    );
  const scheme = authorization.slice(0, SCHEME_LENGTH).toLowerCase();
  if (scheme === 'convex ')
    return adminCredential(authorization.slice(SCHEME_LENGTH));
  if (scheme === 'bearer ' && authorization.length > SCHEME_LENGTH)
    return {
      success: true,
      credential: {
        kind: 'user',
        token: authorization.slice(SCHEME_LENGTH).trim(),
      },
    };
  return refused(badRequest('InvalidAdminKey', 'Invalid admin key'));
}

function adminCredential(value: string): CredentialResult {
  const key = withoutTypePrefix(value);
  const colon = key.indexOf(':');
  if (colon === -1)
    return {
      success: true,
      credential: { kind: 'admin', key, actingAs: null },
    };
  const malformed = refused(
    badRequest('HeaderParseFailure', 'Malformed Authorization header.'),
  );
  const encoded = key.slice(colon + 1);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0)
    return malformed;
  let attributes: unknown;
  try {
    attributes = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return malformed;
  }
  const actingAs = impersonatedIdentity(attributes);
  return actingAs.success
    ? {
        success: true,
        credential: {
          kind: 'admin',
          key: key.slice(0, colon),
          actingAs: actingAs.identity,
        },
      }
    : malformed;
}

/** `prod:happy-animal-123|secret` → `happy-animal-123|secret`. */
function withoutTypePrefix(key: string): string {
  const bar = key.indexOf('|');
  if (bar === -1) return key;
  const name = key.slice(0, bar);
  const colon = name.indexOf(':');
  return colon === -1 ? key : key.slice(colon + 1);
}

function refused(error: SystemError): CredentialResult {
  return { success: false, error };
}

/**
 * authenticate: who a caller is, from the credential it presented. The sync
 * socket (an `Authenticate` frame) and the HTTP API (an `Authorization`
 * header) both end here, so an admin key, an impersonation or a user token
 * means the same thing on either:
 *
 * - nothing: signed out;
 * - an admin key, checked against the deployment's: an admin, acting as the
 *   given identity if it names one (admins may call internal functions);
 * - a user token, verified by the auth providers (or the development
 *   secret): that user until the token expires.
 *
 * Refusals carry Convex's short code and message (`BadAdminKey` is the
 * application's `authenticate`; the token ones come from auth-failure.ts);
 * which HTTP status or `AuthError` frame they become is the caller's
 * business. Reading credentials out of a header or a frame is not done here.
 */
import type { JSONValue } from 'convex/values';
import { adminKeyMatches } from './admin-key.ts';
import { type AuthErrorCode, authFailures } from './auth-failure.ts';
import type { IdentityVerifier } from './identity-verifier.ts';
import type { UserIdentity } from './user-identity.ts';

export type Credential =
  | { kind: 'none' }
  | { kind: 'admin'; key: string; actingAs: UserIdentity | null }
  | { kind: 'user'; token: string };

export type Caller =
  | { kind: 'none' }
  | {
      kind: 'user';
      identity: Record<string, JSONValue>;
      /** When the token expires, in ms since the epoch; null if it does not. */
      expiresAtMs: number | null;
    }
  | { kind: 'admin'; identity: Record<string, JSONValue> | null };

export interface AuthenticateRefusal {
  code: AuthErrorCode | 'BadAdminKey';
  message: string;
}

export type AuthenticateResult =
  | { success: true; caller: Caller }
  | { success: false; error: AuthenticateRefusal };

export interface Authority {
  /** Null, or one that cannot verify: every user token is refused alike. */
  verifier: IdentityVerifier | null;
  adminKey: string;
}

export async function authenticate(
  credential: Credential,
  authority: Authority,
): Promise<AuthenticateResult> {
  switch (credential.kind) {
    case 'none':
      return { success: true, caller: { kind: 'none' } };
    case 'admin':
      return adminKeyMatches(credential.key, authority.adminKey)
        ? {
            success: true,
            caller: { kind: 'admin', identity: credential.actingAs },
          }
        : {
            success: false,
            error: {
              code: 'BadAdminKey',
              message: 'The provided admin key was invalid for this instance',
            },
          };
    case 'user': {
      if (!authority.verifier?.canVerify)
        return { success: false, error: authFailures.noProvider([]) };
      const verified = await authority.verifier.verify(credential.token);
      return verified.success
        ? {
            success: true,
            caller: {
              kind: 'user',
              identity: verified.identity,
              expiresAtMs: verified.expiresAtMs,
            },
          }
        : { success: false, error: verified.error };
    }
  }
}

/**
 * requestCaller: who sent an HTTP request, from its `Authorization` header
 * or `adminKey` parameter (auth-header.ts) checked by authenticate.ts, or
 * the system error that refuses it: a bad admin key or token is 401 with
 * Convex's code, except a failed provider discovery, which Convex counts as
 * a bad request.
 *
 * Also what the runner is told about that caller: its identity, whether
 * internal functions are out of reach (they are for everyone but admins,
 * including admins acting as a user), and whether it holds the admin key.
 */
import type { JSONValue } from 'convex/values';
import {
  type Authority,
  type AuthenticateRefusal,
  type Caller,
  authenticate,
} from '../runtime/authenticate.ts';
import { credentialOf } from './auth-header.ts';
import { type SystemError, systemError } from './system-error.ts';

export type CallerResult =
  { success: true; caller: Caller } | { success: false; error: SystemError };

export async function requestCaller(
  request: {
    headers: Record<string, string | string[] | undefined>;
    query: unknown;
  },
  authority: Authority,
): Promise<CallerResult> {
  const authorization = request.headers.authorization;
  const credential = credentialOf(
    Array.isArray(authorization) ? authorization[0] : authorization,
    adminKeyParameter(request.query),
  );
  if (!credential.success) return credential;
  const result = await authenticate(credential.credential, authority);
  return result.success
    ? result
    : { success: false, error: refusalError(result.error) };
}

export function runnerIdentity(caller: Caller): {
  identity: Record<string, JSONValue> | null;
  fromClient: boolean;
  admin: boolean;
} {
  switch (caller.kind) {
    case 'none':
      return { identity: null, fromClient: true, admin: false };
    case 'user':
      return { identity: caller.identity, fromClient: true, admin: false };
    case 'admin':
      return { identity: caller.identity, fromClient: false, admin: true };
  }
}

function refusalError(refusal: AuthenticateRefusal): SystemError {
  return systemError(
    refusal.code === 'AuthProviderDiscoveryFailed'
      ? 'BadRequest'
      : 'Unauthenticated',
    refusal.code,
    refusal.message,
  );
}

function adminKeyParameter(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const value: unknown = (query as Record<string, unknown>).adminKey;
  return typeof value === 'string' ? value : undefined;
}

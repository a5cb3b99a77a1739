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

/**
 * The request's caller when it is an admin acting as itself, what the
 * admin-only tools (the log tail, the Health figures) require; anyone else
 * gets Convex's 403 `unauthorized_error`, `Operation <operation> not
 * permitted`.
 */
export async function adminItself(
  request: Parameters<typeof requestCaller>[0],
  authority: Authority,
  operation: string,
): Promise<{ success: true } | { success: false; error: SystemError }> {
  const caller = await requestCaller(request, authority);
  if (!caller.success) return caller;
  if (caller.caller.kind !== 'admin' || caller.caller.identity !== null)
    return {
      success: false,
      error: systemError(
        'Forbidden',
        'Unauthorized',
        `Operation ${operation} not permitted`,
      ),
    };
  return { success: true };
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

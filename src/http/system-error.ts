/**
 * SystemError: a failure of the request itself rather than of the function
 * it names (a bad header, an unknown format, a refused key), answered as
 * Convex's `HttpError` is: `{"code": "<ShortCode>", "message": "<text>"}`
 * with the status of its class (convex-protocol.md §6.2; convex-backend
 * `crates/common/src/http/mod.rs`, `crates/errors/src/lib.rs`).
 *
 * A function that throws is not a SystemError: that is a 200 with
 * `status: "error"` (udf-response.ts).
 */

export type ErrorClass =
  | 'BadRequest'
  | 'Unauthenticated'
  | 'Forbidden'
  | 'NotFound'
  | 'RateLimited'
  | 'Overloaded'
  | 'Internal';

export interface SystemError {
  status: number;
  code: string;
  message: string;
}

const STATUS_OF = {
  BadRequest: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  RateLimited: 429,
  Overloaded: 503,
  Internal: 500,
} as const satisfies Record<ErrorClass, number>;

export function systemError(
  errorClass: ErrorClass,
  code: string,
  message: string,
): SystemError {
  return { status: STATUS_OF[errorClass], code, message };
}

export const badRequest = (code: string, message: string): SystemError =>
  systemError('BadRequest', code, message);

/** A bug: Convex answers these with one fixed code and no details. */
export const internalError = (): SystemError =>
  systemError(
    'Internal',
    'InternalServerError',
    "Your request couldn't be completed. Try again later.",
  );

/** Convex's `must_be_admin` refusal: the route needs an admin key. */
export const badDeployKey = (): SystemError =>
  systemError(
    'Forbidden',
    'BadDeployKey',
    'The provided deploy key was invalid for this deployment. Double check that the environment this key was generated for matches the desired deployment.',
  );

/** What is sent: the JSON body. */
export function errorBody(error: SystemError): {
  code: string;
  message: string;
} {
  return { code: error.code, message: error.message };
}

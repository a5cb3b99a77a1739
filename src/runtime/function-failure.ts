/**
 * FunctionFailure: what a client is told when a function throws, from
 * whatever the user realm threw. A `ConvexError` (recognised by
 * `Symbol.for("ConvexError")`, which holds across realms) carries its data,
 * already serialised to Convex JSON text by `convex/server`; everything else
 * is reported by name and message, as `Uncaught Error: message`.
 *
 * The one place that turns an unknown throw into a value.
 */
import { type JSONValue, type Value, jsonToConvex } from 'convex/values';

export interface FunctionFailure {
  errorMessage: string;
  errorData?: Value;
}

const CONVEX_ERROR = Symbol.for('ConvexError');

export function failureFromThrown(thrown: unknown): FunctionFailure {
  if (typeof thrown !== 'object' || thrown === null) {
    return { errorMessage: `Uncaught ${String(thrown)}` };
  }
  const error = thrown as {
    name?: unknown;
    message?: unknown;
    data?: unknown;
    [CONVEX_ERROR]?: unknown;
  };
  const name = typeof error.name === 'string' ? error.name : 'Error';
  const message = typeof error.message === 'string' ? error.message : '';
  const failure: FunctionFailure = {
    errorMessage: `Uncaught ${name}: ${message}`,
  };
  if (CONVEX_ERROR in error && error.data !== undefined) {
    const data =
      typeof error.data === 'string'
        ? (JSON.parse(error.data) as JSONValue)
        : (error.data as JSONValue);
    failure.errorData = jsonToConvex(data);
  }
  return failure;
}

/**
 * FunctionResult: the outcome of running a function, as a value. Success
 * carries the returned value; failure carries the message and, for a
 * thrown `ConvexError`, its data. Log lines come with both.
 */
import { type JSONValue, type Value, convexToJson } from 'convex/values';

export type FunctionResult =
  | { success: true; value: Value; logLines: string[] }
  | {
      success: false;
      errorMessage: string;
      errorData?: Value;
      logLines: string[];
    };

/**
 * A nested call's result as its caller's syscall answers it: the value in
 * Convex JSON, or a rejection whose `data` carries a `ConvexError`'s value
 * as Convex JSON, which `convex/server` turns back into a `ConvexError`
 * (convex-runtime.md §2.5).
 */
export function valueJsonOrThrow(result: FunctionResult): JSONValue {
  if (result.success) return convexToJson(result.value);
  const error = new Error(result.errorMessage) as Error & { data?: JSONValue };
  if (result.errorData !== undefined)
    error.data = convexToJson(result.errorData);
  throw error;
}

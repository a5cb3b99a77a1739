/**
 * FunctionResult: the outcome of running a function, as a value. Success
 * carries the returned value; failure carries the message and, for a
 * thrown `ConvexError`, its data. Log lines come with both.
 */
import type { Value } from 'convex/values';

export type FunctionResult =
  | { success: true; value: Value; logLines: string[] }
  | {
      success: false;
      errorMessage: string;
      errorData?: Value;
      logLines: string[];
    };

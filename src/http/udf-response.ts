/**
 * UdfResponse: what the HTTP API answers for a function that ran, whether it
 * returned or threw, always with status 200 (convex-backend `public_api.rs`,
 * `UdfResponse`):
 *
 *   {"status": "success", "value": …, "logLines"?: […]}
 *   {"status": "error", "errorMessage": "…", "errorData"?: …, "logLines"?: […]}
 *
 * `value` and a `ConvexError`'s `errorData` are in the request's format;
 * `logLines` is left out when there are none.
 */
import type { JSONValue } from 'convex/values';
import type { FunctionResult } from '../runtime/function-result.ts';
import { type ValueFormat, exportValue } from './value-format.ts';

export type UdfResponse =
  | { status: 'success'; value: JSONValue; logLines?: string[] }
  | {
      status: 'error';
      errorMessage: string;
      errorData?: JSONValue;
      logLines?: string[];
    };

export function udfResponse(
  result: FunctionResult,
  format: ValueFormat,
): UdfResponse {
  const logLines =
    result.logLines.length > 0 ? { logLines: result.logLines } : {};
  if (result.success)
    return {
      status: 'success',
      value: exportValue(result.value, format),
      ...logLines,
    };
  return {
    status: 'error',
    errorMessage: result.errorMessage,
    ...(result.errorData === undefined
      ? {}
      : { errorData: exportValue(result.errorData, format) }),
    ...logLines,
  };
}

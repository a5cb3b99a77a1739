/**
 * Convex values ⇄ their JSON form on the wire, through `convex/values`
 * (`convexToJson`, `jsonToConvex`), never re-implemented here.
 *
 * The generated validators have already checked an inbound value's shape
 * (reserved keys, base64 patterns, field names); `jsonToConvex` adds the
 * checks a schema cannot make (a `$float` must be NaN, ±Infinity or -0).
 */
import {
  type JSONValue,
  type Value,
  convexToJson,
  jsonToConvex,
} from 'convex/values';
import type { ConvexValue } from '../../generated/types.ts';

export type { Value };

export function encodeValue(value: Value): ConvexValue {
  return convexToJson(value);
}

/** Throws an `Error` with Convex's own message when the value is not valid. */
export function decodeValue(json: ConvexValue): Value {
  // The generated ConvexValue is a JSONValue with more structure; TS cannot see
  // that through the recursive interface.
  return jsonToConvex(json as JSONValue);
}

/**
 * Convex values ⇄ their JSON form on the wire, through `convex/values`
 * (`convexToJson`, `jsonToConvex`), never re-implemented here, with one
 * exception: a field named `__proto__`. It is a valid Convex field name,
 * and JSON text makes it an own property, but `convex/values` builds
 * objects by assignment, which turns the field into the object's prototype
 * (and, for an array value, into a value it then refuses). Objects that
 * have such a field are built here with `Object.fromEntries`, which
 * defines it as a field; everything else goes through `convex/values`.
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

const PROTO = '__proto__';

export function encodeValue(value: Value): ConvexValue {
  if (!holdsProtoField(value)) return convexToJson(value);
  if (Array.isArray(value)) return value.map(encodeValue);
  return Object.fromEntries(
    Object.entries(value as Record<string, Value>).map(([k, v]) => [
      k,
      encodeValue(v),
    ]),
  );
}

/** Throws an `Error` with Convex's own message when the value is not valid. */
export function decodeValue(json: ConvexValue): Value {
  // The generated ConvexValue is a JSONValue with more structure; TS cannot see
  // that through the recursive interface.
  if (!holdsProtoField(json)) return jsonToConvex(json as JSONValue);
  if (Array.isArray(json)) return json.map(decodeValue);
  // An object with a `__proto__` field has more than one key or is no
  // `$integer`/`$float`/`$bytes` wrapper, so it is a plain object.
  return Object.fromEntries(
    Object.entries(json as Record<string, ConvexValue>).map(([k, v]) => [
      k,
      decodeValue(v),
    ]),
  );
}

/** Whether a `__proto__` own field is anywhere in the value (plain data: no cycles). */
function holdsProtoField(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof ArrayBuffer) return false;
  if (Array.isArray(value)) return value.some(holdsProtoField);
  if (Object.hasOwn(value, PROTO)) return true;
  return Object.values(value).some(holdsProtoField);
}

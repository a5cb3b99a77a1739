/**
 * The value formats of the HTTP API (convex-backend `crates/value/src/
 * export.rs`, `ValueFormat`), and a function's result in each:
 *
 * - `convex_encoded_json` (legacy alias `convex_json`): the lossless wire
 *   form of convex-protocol.md §5.2, what `ConvexHttpClient` asks for;
 * - `json` (legacy alias `convex_clean_json`): readable and lossy, for curl
 *   and other languages: an int64 is its decimal string, bytes are standard
 *   base64, NaN and ±Infinity are the strings `"NaN"`, `"Infinity"`,
 *   `"-Infinity"`; everything else is itself.
 *
 * Any other name is 400 `BadFormat`. Which format a request without one
 * gets depends on its client (client-version.ts).
 */
import { type JSONValue, type Value, convexToJson } from 'convex/values';
import { type SystemError, badRequest } from './system-error.ts';

export type ValueFormat = 'encoded' | 'clean';

export function parseValueFormat(
  name: string,
):
  | { success: true; format: ValueFormat }
  | { success: false; error: SystemError } {
  switch (name) {
    case 'convex_encoded_json':
    case 'convex_json':
      return { success: true, format: 'encoded' };
    case 'json':
    case 'convex_clean_json':
      return { success: true, format: 'clean' };
    default:
      return {
        success: false,
        error: badRequest(
          'BadFormat',
          `format param must be one of [\`json\`]. Got ${name}`,
        ),
      };
  }
}

export function exportValue(value: Value, format: ValueFormat): JSONValue {
  return format === 'encoded' ? convexToJson(value) : cleanJson(value);
}

function cleanJson(value: Value): JSONValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return value;
  }
  if (value instanceof ArrayBuffer)
    return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(cleanJson);
  const object: Record<string, JSONValue> = {};
  for (const [key, field] of Object.entries(
    value as Record<string, Value | undefined>,
  ))
    if (field !== undefined) object[key] = cleanJson(field);
  return object;
}

/**
 * A request's JSON body, read as convex-backend's `Json` extractor reads it
 * (`crates/common/src/http/extract.rs`): the `Content-Type` must be JSON
 * (`application/json`, or any `application/*+json`), the bytes must be UTF-8
 * and parse, nested at most 128 levels deep (serde_json's limit), and the
 * fields a route needs must be there with the right types;
 * otherwise 400 `BadJsonBody` saying which.
 *
 * The app hands every body to its route as raw bytes (http-app.ts), so this
 * is the one place a body becomes JSON.
 */
import type { JSONValue } from 'convex/values';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../protocol/json-depth.ts';
import { type SystemError, badRequest } from './system-error.ts';

export type Parsed<T> =
  { success: true; value: T } | { success: false; error: SystemError };

export type JsonObject = Record<string, JSONValue>;

const JSON_MEDIA_TYPE = /^application\/([^;\s]+\+)?json\s*(;|$)/i;

/** Bytes that are not UTF-8 are a parse error, as they are to serde_json. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function jsonBody(
  contentType: string | undefined,
  body: unknown,
): Parsed<JsonObject> {
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType))
    return malformed('Expected request with `Content-Type: application/json`');
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      utf8.decode(Buffer.isBuffer(body) ? body : new Uint8Array()),
    );
  } catch (error) {
    return malformed(
      `Failed to parse the request body as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH))
    return malformed(
      `Failed to parse the request body as JSON: recursion limit exceeded (more than ${MAX_JSON_DEPTH} levels)`,
    );
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return mistyped('invalid type: expected a JSON object');
  return { success: true, value: parsed as JsonObject };
}

/** A required field, present and not null. */
export function requiredField(
  object: JsonObject,
  field: string,
): Parsed<JSONValue> {
  const value = object[field];
  return value === undefined || value === null
    ? mistyped(`missing field \`${field}\``)
    : { success: true, value };
}

/** A string field: required, or optional (absent and null are both undefined). */
export function stringField(
  object: JsonObject,
  field: string,
  required: true,
): Parsed<string>;
export function stringField(
  object: JsonObject,
  field: string,
  required: false,
): Parsed<string | undefined>;
export function stringField(
  object: JsonObject,
  field: string,
  required: boolean,
): Parsed<string | undefined> {
  const value = object[field];
  if (value === undefined || value === null)
    return required
      ? mistyped(`missing field \`${field}\``)
      : { success: true, value: undefined };
  return typeof value === 'string'
    ? { success: true, value }
    : mistyped(`invalid type for \`${field}\`: expected a string`);
}

function malformed(message: string): { success: false; error: SystemError } {
  return { success: false, error: badRequest('BadJsonBody', message) };
}

function mistyped(why: string): { success: false; error: SystemError } {
  return malformed(
    `Failed to deserialize the JSON body into the target type: ${why}`,
  );
}

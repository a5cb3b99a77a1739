/**
 * Validates Convex values against the validator JSON that `exportArgs()`,
 * `exportReturns()` and the schema give (convex-runtime.md §1.3): every kind,
 * including `record`, `literal` of an int64, `id` (the string must decode to
 * an id of that table), optional object fields and extra-field rejection.
 * `convex/server` validates nothing itself; this is the backend's job.
 *
 * Messages follow Convex's: "Object is missing the required field `x`…",
 * "Object contains extra field `x`…", "Value does not match validator." with
 * the path, the value and the validator written as `v.…` code.
 */
import {
  CommitTsPlaceholder,
  type JSONValue,
  type Value,
  compareValues,
  jsonToConvex,
} from 'convex/values';
import { decodeDocumentId } from '../store/document-id.ts';

export type ValidatorJson =
  | {
      type:
        | 'null'
        | 'number'
        | 'bigint'
        | 'boolean'
        | 'string'
        | 'bytes'
        | 'any'
        | 'commitTs';
    }
  | { type: 'literal'; value: JSONValue }
  | { type: 'id'; tableName: string }
  | { type: 'array'; value: ValidatorJson }
  | {
      type: 'object';
      value: Record<string, { fieldType: ValidatorJson; optional: boolean }>;
    }
  | {
      type: 'record';
      keys: ValidatorJson;
      values: { fieldType: ValidatorJson; optional: boolean };
    }
  | { type: 'union'; value: ValidatorJson[] };

export interface ValidationContext {
  /** The number of a table, for `v.id(table)`; null when it does not exist. */
  tableNumber(table: string): number | null;
}

/** Why `value` does not match `validator`, in Convex's words, or null when it does. */
export function validationError(
  validator: ValidatorJson,
  value: Value | undefined,
  context: ValidationContext,
): string | null {
  return check(validator, value, '', context);
}

function check(
  validator: ValidatorJson,
  value: Value | undefined,
  path: string,
  context: ValidationContext,
): string | null {
  switch (validator.type) {
    case 'any':
      return value === undefined ? mismatch(validator, value, path) : null;
    case 'null':
      return value === null ? null : mismatch(validator, value, path);
    case 'number':
      return typeof value === 'number'
        ? null
        : mismatch(validator, value, path);
    case 'bigint':
      return typeof value === 'bigint'
        ? null
        : mismatch(validator, value, path);
    case 'boolean':
      return typeof value === 'boolean'
        ? null
        : mismatch(validator, value, path);
    case 'string':
      return typeof value === 'string'
        ? null
        : mismatch(validator, value, path);
    case 'bytes':
      return value instanceof ArrayBuffer
        ? null
        : mismatch(validator, value, path);
    case 'commitTs':
      return value instanceof CommitTsPlaceholder
        ? null
        : mismatch(validator, value, path);
    case 'literal':
      return value !== undefined &&
        compareValues(value, jsonToConvex(validator.value)) === 0
        ? null
        : mismatch(validator, value, path);
    case 'id': {
      if (typeof value !== 'string') return mismatch(validator, value, path);
      const decoded = decodeDocumentId(value);
      const number = context.tableNumber(validator.tableName);
      return decoded && number !== null && decoded.tableNumber === number
        ? null
        : mismatch(validator, value, path);
    }
    case 'array':
      if (!Array.isArray(value)) return mismatch(validator, value, path);
      for (let i = 0; i < value.length; i++) {
        const error = check(
          validator.value,
          value[i],
          `${path}[${i}]`,
          context,
        );
        if (error) return error;
      }
      return null;
    case 'union':
      for (const member of validator.value)
        if (check(member, value, path, context) === null) return null;
      return mismatch(validator, value, path);
    case 'object': {
      if (!isPlainObject(value)) return mismatch(validator, value, path);
      for (const field of Object.keys(validator.value)) {
        const { fieldType, optional } = validator.value[field]!;
        const fieldValue = value[field];
        if (fieldValue === undefined) {
          if (optional) continue;
          return `Object is missing the required field \`${field}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.${shown(validator, value)}`;
        }
        const error = check(fieldType, fieldValue, `${path}.${field}`, context);
        if (error) return error;
      }
      const fields = Object.keys(value);
      for (const field of fields) {
        if (value[field] === undefined || field in validator.value) continue;
        // The first extra field in sorted order, as Convex names it.
        const first = fields
          .sort()
          .find((f) => value[f] !== undefined && !(f in validator.value));
        return `Object contains extra field \`${first}\` that is not in the validator.${shown(validator, value)}`;
      }
      return null;
    }
    case 'record': {
      if (!isPlainObject(value)) return mismatch(validator, value, path);
      for (const [key, fieldValue] of Object.entries(value)) {
        if (fieldValue === undefined) continue;
        const keyError = check(validator.keys, key, `${path}.${key}`, context);
        if (keyError) return keyError;
        const error = check(
          validator.values.fieldType,
          fieldValue,
          `${path}.${key}`,
          context,
        );
        if (error) return error;
      }
      return null;
    }
  }
}

/** Convex's words for a value its validator does not match. */
function mismatch(
  validator: ValidatorJson,
  value: Value | undefined,
  path: string,
): string {
  return `Value does not match validator.\nPath: ${path || '.'}\nValue: ${showValue(value)}\nValidator: ${showValidator(validator)}`;
}

/** The object and its validator, as a failure about one of its fields shows them. */
function shown(validator: ValidatorJson, value: Value): string {
  return `\n\nObject: ${showValue(value)}\nValidator: ${showValidator(validator)}`;
}

function isPlainObject(
  value: Value | undefined,
): value is Record<string, Value | undefined> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof ArrayBuffer) &&
    !(value instanceof CommitTsPlaceholder)
  );
}

/** Convex objects are ordered maps: fields print and check in key order. */
function sortedEntries<T>(object: Record<string, T>): [string, T][] {
  return Object.entries(object).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
}

/** A value as Convex prints it in validation errors: `{a: "x", n: 1.0}`. */
export function showValue(value: Value | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isInteger(value) && Object.is(value, -0) === false
        ? `${value}.0`
        : `${value}`;
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return `${value}`;
    default:
      break;
  }
  if (value instanceof ArrayBuffer)
    return `b"${Buffer.from(value).toString('hex')}"`;
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  if (value instanceof CommitTsPlaceholder) return 'commitTs';
  const entries = sortedEntries(value).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${k}: ${showValue(v)}`).join(', ')}}`;
}

/** A validator as the `v.…` code that builds it. */
export function showValidator(validator: ValidatorJson): string {
  switch (validator.type) {
    case 'null':
      return 'v.null()';
    case 'number':
      return 'v.float64()';
    case 'bigint':
      return 'v.int64()';
    case 'boolean':
      return 'v.boolean()';
    case 'string':
      return 'v.string()';
    case 'bytes':
      return 'v.bytes()';
    case 'any':
      return 'v.any()';
    case 'commitTs':
      return 'v.commitTs()';
    case 'literal':
      return `v.literal(${showValue(jsonToConvex(validator.value))})`;
    case 'id':
      return `v.id(${JSON.stringify(validator.tableName)})`;
    case 'array':
      return `v.array(${showValidator(validator.value)})`;
    case 'union':
      return `v.union(${validator.value.map(showValidator).join(', ')})`;
    case 'record':
      return `v.record(${showValidator(validator.keys)}, ${showValidator(validator.values.fieldType)})`;
    case 'object': {
      const fields = sortedEntries(validator.value).map(
        ([field, { fieldType, optional }]) =>
          `${field}: ${optional ? `v.optional(${showValidator(fieldType)})` : showValidator(fieldType)}`,
      );
      return `v.object({${fields.join(', ')}})`;
    }
  }
}

/**
 * The dashboard's data filters, as Convex's dashboard sends them to
 * `_system/frontend/paginatedTableDocuments`: base64 of the JSON
 * `{ clauses: [{ op, field, value, enabled? }], order? }`, each `value` in
 * Convex JSON (`convexToJson`), decoded here into a predicate on documents.
 *
 * A document passes when every enabled clause holds. Comparisons use the
 * total order of Convex values (`compareValues`), in which a missing field
 * is `undefined` and sorts before everything, so `lt 5` holds for a
 * document without the field and `gt 5` does not. A clause without a field
 * is skipped, as Convex skips it; so is a disabled one, and an `anyOf` or
 * `noneOf` with no values. A `value` that is absent, or Convex's placeholder
 * string for `undefined`, stands for a missing field.
 *
 * Not here: the dashboard's type filters (`type`, `notype`) and its index
 * clauses (`index`), which this server's dashboard does not send; a filter
 * naming them is refused rather than half applied.
 */
import {
  type JSONValue,
  type Value,
  compareValues,
  jsonToConvex,
} from 'convex/values';
import { documentField } from '../store/catalog.ts';
import type { Document } from '../store/store.ts';

/**
 * What the dashboard sends for `undefined`, which Convex JSON cannot carry
 * (`UNDEFINED_PLACEHOLDER` of convex-backend's system UDFs): a value the
 * dashboard writes to mean "no value", in filters and in patches alike.
 */
export const UNDEFINED_PLACEHOLDER =
  '__CONVEX_PLACEHOLDER_undefined_I23atX0jcndVbFgXoQZffsih7eAqktCyFjgUuAeNBtfr3ySOljPSPSEOPFgprkdBO3zXNiGEJxmJ5ZFPc5C5qKesG80QRPvlJe8vgSxAt9feLTwxTg4PHfVwUaTEJU67FDwldWmTxp1guMPwxQ2jOuhEryTBf3mQ';

export interface DashboardFilter {
  /** True when the document passes every enabled clause. */
  matches(document: Document): boolean;
  /** The order the filter asks for, if it names one. */
  order: 'asc' | 'desc' | null;
  /** True when no clause applies: every document passes. */
  empty: boolean;
}

export type DashboardFilterResult =
  | { success: true; filter: DashboardFilter }
  | { success: false; errorMessage: string };

type Comparison = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

const COMPARISONS: Readonly<Record<Comparison, (c: number) => boolean>> = {
  eq: (c) => c === 0,
  neq: (c) => c !== 0,
  lt: (c) => c < 0,
  lte: (c) => c <= 0,
  gt: (c) => c > 0,
  gte: (c) => c >= 0,
};

type Test = (value: Value | undefined) => boolean;

/** The filter `filters` encodes; null encodes none. */
export function dashboardFilter(filters: string | null): DashboardFilterResult {
  if (filters === null) return { success: true, filter: filterOf([], null) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(filters, 'base64').toString('utf8'));
  } catch {
    return invalid('not base64 of JSON');
  }
  if (!isObject(parsed) || !Array.isArray(parsed['clauses']))
    return invalid('expected an object with an array of `clauses`');
  const order = parsed['order'] ?? null;
  if (order !== null && order !== 'asc' && order !== 'desc')
    return invalid(`unknown order ${JSON.stringify(order)}`);
  if (parsed['index'] !== undefined)
    return invalid('index clauses are not supported');
  const tests: { field: string; test: Test }[] = [];
  for (const [i, clause] of (parsed['clauses'] as unknown[]).entries()) {
    const compiled = clauseTest(clause);
    if (typeof compiled === 'string')
      return invalid(`clause ${i}: ${compiled}`);
    if (compiled !== null) tests.push(compiled);
  }
  return { success: true, filter: filterOf(tests, order) };
}

function filterOf(
  tests: readonly { field: string; test: Test }[],
  order: 'asc' | 'desc' | null,
): DashboardFilter {
  return {
    matches: (document) =>
      tests.every(({ field, test }) => test(documentField(document, field))),
    order,
    empty: tests.length === 0,
  };
}

/** A clause's test on its field, null when it does not apply, or what is wrong with it. */
function clauseTest(
  clause: unknown,
): { field: string; test: Test } | null | string {
  if (!isObject(clause)) return 'not an object';
  const { op, field, enabled } = clause;
  if (enabled !== undefined && typeof enabled !== 'boolean')
    return '`enabled` is not a boolean';
  if (field !== undefined && typeof field !== 'string')
    return '`field` is not a string';
  if (typeof op === 'string' && op in COMPARISONS) {
    const value = valueOf(clause['value']);
    if (typeof value === 'string') return value;
    if (enabled === false || field === undefined) return null;
    const holds = COMPARISONS[op as Comparison];
    return {
      field,
      test: (actual) => holds(compareValues(actual, value.value)),
    };
  }
  if (op === 'anyOf' || op === 'noneOf') {
    const list = clause['value'] ?? [];
    if (!Array.isArray(list)) return `\`${op}\` takes an array of values`;
    const values: (Value | undefined)[] = [];
    for (const item of list as unknown[]) {
      const value = valueOf(item);
      if (typeof value === 'string') return value;
      values.push(value.value);
    }
    if (enabled === false || field === undefined || values.length === 0)
      return null;
    const any = (actual: Value | undefined) =>
      values.some((value) => compareValues(actual, value) === 0);
    return {
      field,
      test: op === 'anyOf' ? any : (actual) => !any(actual),
    };
  }
  return `unknown op ${JSON.stringify(op)}`;
}

/** A clause's value as a Convex value (`undefined` for a missing field), or what is wrong with it. */
function valueOf(json: unknown): { value: Value | undefined } | string {
  if (json === undefined || json === UNDEFINED_PLACEHOLDER)
    return { value: undefined };
  try {
    return { value: jsonToConvex(json as JSONValue) };
  } catch {
    return `invalid value ${JSON.stringify(json)}`;
  }
}

function invalid(reason: string): DashboardFilterResult {
  return { success: false, errorMessage: `Invalid filters: ${reason}.` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

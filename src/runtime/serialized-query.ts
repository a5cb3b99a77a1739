/**
 * Compiles the query `convex/server` serialises (`{source, operators}`,
 * convex-runtime.md §3) into a store index range plus the operators to apply
 * to what it returns, with Convex's compile rules and error texts:
 * equalities on distinct index fields (any order), then at most one lower and
 * one upper bound on one field, all together a prefix of the index fields
 * (which end with `_creationTime` and `_id`).
 */
import { type JSONValue, type Value, convexToJson } from 'convex/values';
import type { IndexValue } from '../store/index-key.ts';
import type { IndexDescription, RangeBound } from '../store/store.ts';
import { type FilterExpression, maybeValue } from './filter-expression.ts';

export interface SerializedQuery {
  source:
    | { type: 'FullTableScan'; tableName: string; order: 'asc' | 'desc' | null }
    | {
        type: 'IndexRange';
        indexName: string;
        range: RangeExpression[];
        order: 'asc' | 'desc' | null;
      }
    | { type: 'Search'; indexName: string; filters: unknown[] };
  operators: ({ filter: FilterExpression } | { limit: number })[];
}

export interface RangeExpression {
  type: 'Eq' | 'Gt' | 'Gte' | 'Lt' | 'Lte';
  fieldPath: string;
  value: JSONValue;
}

export interface CompiledQuery {
  table: string;
  index: string;
  /** The index's full key fields, to compute a document's position in it. */
  fields: readonly string[];
  eq: IndexValue[];
  lower?: RangeBound;
  upper?: RangeBound;
  order: 'asc' | 'desc';
  operators: SerializedQuery['operators'];
}

/** Where a query reads, before the catalog is consulted: its table and index names. */
export function queryTarget(query: SerializedQuery): {
  table: string;
  index: string;
} {
  if (query.source.type === 'FullTableScan') {
    return { table: query.source.tableName, index: 'by_creation_time' };
  }
  const dot = query.source.indexName.indexOf('.');
  return {
    table: query.source.indexName.slice(0, dot),
    index: query.source.indexName.slice(dot + 1),
  };
}

/** Compiles against the index's fields; throws Convex's error when the range breaks a rule. */
export function compileQuery(
  query: SerializedQuery,
  index: IndexDescription,
): CompiledQuery {
  const { table, index: indexName } = queryTarget(query);
  const order =
    query.source.type === 'Search' ? 'asc' : (query.source.order ?? 'asc');
  if (query.source.type === 'Search')
    throw new Error('Search indexes are not supported yet.');
  const base = {
    table,
    index: indexName,
    fields: index.fields,
    order,
    operators: query.operators,
  };
  if (query.source.type === 'FullTableScan') return { ...base, eq: [] };

  const fullName = `${table}.${indexName}`;
  const eqs = new Map<string, IndexValue>();
  let lower: (RangeBound & { field: string }) | undefined;
  let upper: (RangeBound & { field: string }) | undefined;
  for (const expr of query.source.range) {
    if (!index.fields.includes(expr.fieldPath)) {
      throw new Error(
        `The index range included a comparison with "${expr.fieldPath}", but ${fullName} with fields ${fieldList(index.fields)} doesn't index this field. For more information see https://docs.convex.dev/using/indexes.`,
      );
    }
    const value = maybeValue(expr.value);
    const already = (kind: string, comparator: string) =>
      new Error(
        `Already defined ${kind} bound in index range. Can't add "${expr.fieldPath}" ${comparator} ${show(value)}.`,
      );
    switch (expr.type) {
      case 'Eq':
        if (eqs.has(expr.fieldPath)) throw already('equality', '==');
        eqs.set(expr.fieldPath, value);
        break;
      case 'Gt':
      case 'Gte':
        if (lower) throw already('lower', expr.type === 'Gt' ? '>' : '>=');
        lower = {
          field: expr.fieldPath,
          value,
          inclusive: expr.type === 'Gte',
        };
        break;
      case 'Lt':
      case 'Lte':
        if (upper) throw already('upper', expr.type === 'Lt' ? '<' : '<=');
        upper = {
          field: expr.fieldPath,
          value,
          inclusive: expr.type === 'Lte',
        };
        break;
    }
  }
  if (lower && upper && lower.field !== upper.field) {
    throw new Error(
      `Upper and lower bounds in \`range\` can only be applied to a single index field. This query against index ${fullName} attempted to set a range bound on both "${lower.field}" and "${upper.field}". Consider using \`filter\` instead. See https://docs.convex.dev/using/indexes for more info.`,
    );
  }
  const bounded = lower?.field ?? upper?.field;
  if (bounded !== undefined && eqs.has(bounded)) {
    const bound = lower ?? upper;
    throw new Error(
      `Already defined equality bound in index range. Can't add a range bound on "${bounded}" ${show(bound?.value)}.`,
    );
  }
  const eqFields = index.fields.filter((field) => eqs.has(field));
  const queryFields = bounded === undefined ? eqFields : [...eqFields, bounded];
  queryFields.forEach((field, i) => {
    if (index.fields[i] !== field) {
      throw new Error(
        `Tried to query index ${fullName} but the query didn't use the index fields in order.\nIndex fields: ${fieldList(index.fields)}\nQuery fields: ${fieldList(queryFields)}\nFirst incorrect field: ${field}\nFor more information see https://docs.convex.dev/using/indexes.`,
      );
    }
  });
  return {
    ...base,
    eq: eqFields.map((field) => eqs.get(field)),
    ...(lower
      ? { lower: { value: lower.value, inclusive: lower.inclusive } }
      : {}),
    ...(upper
      ? { upper: { value: upper.value, inclusive: upper.inclusive } }
      : {}),
  };
}

function fieldList(fields: readonly string[]): string {
  return `[${fields.join(', ')}]`;
}

function show(value: Value | undefined): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}`;
  return JSON.stringify(convexToJson(value));
}

/**
 * Evaluates the filter expressions `convex/server` serialises
 * (convex-runtime.md §3.2) against a document, with Convex's semantics:
 * comparisons use the total order of Convex values (`compareValues`), where
 * a missing field is `undefined` and sorts first; arithmetic only on two
 * int64s (wrapping, as the backend's release build does) or two float64s;
 * `and`, `or` and `not` only on booleans, short-circuiting. A document passes
 * when the result is exactly `true`.
 */
import {
  type JSONValue,
  type Value,
  compareValues,
  jsonToConvex,
} from 'convex/values';
import type { IndexValue } from '../store/index-key.ts';

export type FilterExpression =
  | { $field: string }
  | { $literal: JSONValue }
  | { $eq: [FilterExpression, FilterExpression] }
  | { $neq: [FilterExpression, FilterExpression] }
  | { $lt: [FilterExpression, FilterExpression] }
  | { $lte: [FilterExpression, FilterExpression] }
  | { $gt: [FilterExpression, FilterExpression] }
  | { $gte: [FilterExpression, FilterExpression] }
  | { $add: [FilterExpression, FilterExpression] }
  | { $sub: [FilterExpression, FilterExpression] }
  | { $mul: [FilterExpression, FilterExpression] }
  | { $div: [FilterExpression, FilterExpression] }
  | { $mod: [FilterExpression, FilterExpression] }
  | { $neg: FilterExpression }
  | { $not: FilterExpression }
  | { $and: FilterExpression[] }
  | { $or: FilterExpression[] };

/** `{"$undefined": null}` is how `convex/server` writes `undefined` in a range or a filter. */
export function maybeValue(json: JSONValue): IndexValue {
  if (
    json !== null &&
    typeof json === 'object' &&
    !Array.isArray(json) &&
    '$undefined' in json
  )
    return undefined;
  return jsonToConvex(json);
}

export function passesFilter(
  expression: FilterExpression,
  document: Record<string, Value>,
): boolean {
  return evaluate(expression, document) === true;
}

const comparisons = {
  $eq: (c: number) => c === 0,
  $neq: (c: number) => c !== 0,
  $lt: (c: number) => c < 0,
  $lte: (c: number) => c <= 0,
  $gt: (c: number) => c > 0,
  $gte: (c: number) => c >= 0,
} as const;

const arithmetic = {
  $add: {
    name: 'add',
    int: (l: bigint, r: bigint) => l + r,
    float: (l: number, r: number) => l + r,
  },
  $sub: {
    name: 'subtract',
    int: (l: bigint, r: bigint) => l - r,
    float: (l: number, r: number) => l - r,
  },
  $mul: {
    name: 'multiply',
    int: (l: bigint, r: bigint) => l * r,
    float: (l: number, r: number) => l * r,
  },
  $div: {
    name: 'divide',
    int: (l: bigint, r: bigint) => l / r,
    float: (l: number, r: number) => l / r,
  },
  $mod: {
    name: 'mod',
    int: (l: bigint, r: bigint) => l % r,
    float: (l: number, r: number) => l % r,
  },
} as const;

function evaluate(
  expression: FilterExpression,
  document: Record<string, Value>,
): IndexValue {
  const [operator, operand] = Object.entries(expression)[0] as [
    string,
    unknown,
  ];
  if (operator === '$field') return fieldAt(document, operand as string);
  if (operator === '$literal') return maybeValue(operand as JSONValue);
  if (operator in comparisons) {
    const [l, r] = (operand as FilterExpression[]).map((e) =>
      evaluate(e, document),
    );
    return comparisons[operator as keyof typeof comparisons](
      compareValues(l, r),
    );
  }
  if (operator in arithmetic) {
    const op = arithmetic[operator as keyof typeof arithmetic];
    const [l, r] = (operand as FilterExpression[]).map((e) =>
      evaluate(e, document),
    );
    if (typeof l === 'bigint' && typeof r === 'bigint') {
      if (r === 0n && (operator === '$div' || operator === '$mod')) {
        throw new Error(`Cannot ${op.name} ${l} by zero`);
      }
      return BigInt.asIntN(64, op.int(l, r));
    }
    if (typeof l === 'number' && typeof r === 'number') return op.float(l, r);
    throw new Error(`Cannot ${op.name} ${describe(l)} and ${describe(r)}`);
  }
  switch (operator) {
    case '$neg': {
      const x = evaluate(operand as FilterExpression, document);
      if (typeof x === 'bigint') return BigInt.asIntN(64, -x);
      if (typeof x === 'number') return -x;
      throw new Error(`Cannot negate ${describe(x)}`);
    }
    case '$not':
      return !boolean(evaluate(operand as FilterExpression, document));
    case '$and':
      return (operand as FilterExpression[]).every((e) =>
        boolean(evaluate(e, document)),
      );
    case '$or':
      return (operand as FilterExpression[]).some((e) =>
        boolean(evaluate(e, document)),
      );
    default:
      throw new Error(
        `Unknown filter expression ${JSON.stringify(expression)}`,
      );
  }
}

function boolean(value: IndexValue): boolean {
  if (typeof value !== 'boolean')
    throw new Error(`Cannot use ${describe(value)} as a boolean`);
  return value;
}

function fieldAt(document: Record<string, Value>, path: string): IndexValue {
  let value: IndexValue = document;
  for (const part of path.split('.')) {
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      value instanceof ArrayBuffer
    ) {
      return undefined;
    }
    value = (value as Record<string, IndexValue>)[part];
  }
  return value;
}

function describe(value: IndexValue): string {
  const type =
    value === undefined
      ? 'undefined'
      : value === null
        ? 'null'
        : typeof value === 'bigint'
          ? 'int64'
          : typeof value === 'number'
            ? 'float64'
            : Array.isArray(value)
              ? 'array'
              : value instanceof ArrayBuffer
                ? 'bytes'
                : typeof value;
  const shown =
    typeof value === 'bigint'
      ? `${value}`
      : value === undefined
        ? 'undefined'
        : JSON.stringify(value);
  return `${shown} (type ${type})`;
}

/**
 * Query plans: a `db.query(...)` chain written as data (its table, index
 * range, order, filter and terminal call), so that a test can draw queries
 * at random and send them as arguments, and both backends build them with
 * the real `convex/server` query builder. Not a function module: `reads.ts`
 * and `writes.ts` run plans.
 */
import type {
  Expression,
  GenericDatabaseReader,
  GenericDataModel,
  GenericTableInfo,
  IndexRange,
  OrderedQuery,
} from 'convex/server';
import type { Value } from 'convex/values';

/** A value that may be `undefined`, which arguments cannot carry: then `value` is absent. */
export interface Literal {
  value?: Value;
}

export interface RangeStep {
  op: 'eq' | 'gt' | 'gte' | 'lt' | 'lte';
  field: string;
  value: Literal;
}

export type Expr =
  | { field: string }
  | { literal: Literal }
  | {
      op:
        | 'eq'
        | 'neq'
        | 'lt'
        | 'lte'
        | 'gt'
        | 'gte'
        | 'add'
        | 'sub'
        | 'mul'
        | 'div'
        | 'mod';
      l: Expr;
      r: Expr;
    }
  | { op: 'and' | 'or'; args: Expr[] }
  | { op: 'not'; arg: Expr };

export interface Plan {
  table: string;
  /** Absent: a full table scan. */
  index?: string;
  range?: RangeStep[];
  order?: 'asc' | 'desc';
  filter?: Expr;
}

export type Terminal =
  | { kind: 'collect' }
  | { kind: 'take'; n: number }
  | { kind: 'first' }
  | { kind: 'unique' };

/** The range and filter builders seen loosely: the plan, not the types, says what is called. */
type Bounds = Record<
  RangeStep['op'],
  (field: string, value: unknown) => Bounds
>;
type Builder = Record<string, (...operands: unknown[]) => unknown>;

export function buildQuery(
  db: GenericDatabaseReader<GenericDataModel>,
  plan: Plan,
): OrderedQuery<GenericTableInfo> {
  const table = db.query(plan.table);
  const source =
    plan.index === undefined
      ? table.fullTableScan()
      : table.withIndex(
          plan.index,
          (q) =>
            (plan.range ?? []).reduce(
              (bounds, step) => bounds[step.op](step.field, step.value.value),
              q as unknown as Bounds,
            ) as unknown as IndexRange,
        );
  const ordered = plan.order ? source.order(plan.order) : source;
  const filter = plan.filter;
  return filter
    ? ordered.filter(
        (q) =>
          expression(q as unknown as Builder, filter) as Expression<boolean>,
      )
    : ordered;
}

export async function runPlan(
  db: GenericDatabaseReader<GenericDataModel>,
  plan: Plan,
  terminal: Terminal,
): Promise<unknown> {
  const query = buildQuery(db, plan);
  switch (terminal.kind) {
    case 'collect':
      return await query.collect();
    case 'take':
      return await query.take(terminal.n);
    case 'first':
      return await query.first();
    case 'unique':
      return await query.unique();
  }
}

function expression(q: Builder, expr: Expr): unknown {
  if ('field' in expr) return q['field']?.(expr.field);
  if ('literal' in expr) return expr.literal.value;
  switch (expr.op) {
    case 'and':
    case 'or':
      return q[expr.op]?.(...expr.args.map((e) => expression(q, e)));
    case 'not':
      return q['not']?.(expression(q, expr.arg));
    default:
      return q[expr.op]?.(expression(q, expr.l), expression(q, expr.r));
  }
}

/**
 * PlanGenerator: random query plans (index ranges, orders, filters) and
 * terminals over the differential app, for differential runs.
 *
 * What is drawn stays inside the semantics convex-test shares with Convex.
 * Where convex-test departs from Convex (its `src/index.ts` filter
 * evaluation, convex-runtime.md §3.2), the generator does not go:
 * - filter comparisons `lt`/`lte`/`gt`/`gte` in convex-test are JavaScript's
 *   `<`, not Convex value order, so they only compare values of one type on
 *   which the two agree: finite numbers that are never -0 or NaN (an
 *   arithmetic result is compared as `add(x, 0)`, which turns -0 into 0),
 *   strings against literals below U+D800, and optional fields only behind
 *   `and(neq(field, undefined), …)`, which both short-circuit;
 * - convex-test computes arithmetic in JavaScript, so `number + string`
 *   concatenates instead of failing, and int64 overflow does not wrap:
 *   arithmetic is number with number or int64 with int64, away from the
 *   int64 limits (int64 with number is drawn: it fails on both);
 * - convex-test treats a non-boolean filter result or `and`/`or`/`not`
 *   operand by truthiness where Convex fails or rejects: every filter is a
 *   boolean expression;
 * - convex-test has no `q.neg`;
 * - convex-test evaluates the filter over every document of the range
 *   before it applies `take`, `first` or `unique`, where Convex stops
 *   reading at the limit (convex-backend `query/limit.rs`): a filter that
 *   can fail (int64 division by zero, int64 with float64) is drawn only for
 *   `collect()` and `paginate`, which read the same documents on both;
 * - convex-test accepts index range bounds only in index order; Convex
 *   accepts equalities in any order, so ranges are drawn in order.
 */
import type { Value } from 'convex/values';
import type {
  Expr,
  Literal,
  Plan,
  RangeStep,
  Terminal,
} from '../apps/differential/plan.ts';
import type { Draw } from './draw.ts';
import {
  type TableName,
  comparableStrings,
  flags,
  foreignBounds,
  indexes,
  mixed,
  numbers,
  pools,
  ranks,
} from './value-pools.ts';

const comparisons = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte'] as const;
const orderings = ['lt', 'lte', 'gt', 'gte'] as const;

function literal(value: Value | undefined): Literal {
  return value === undefined ? {} : { value };
}

function lit(value: Value | undefined): Expr {
  return { literal: literal(value) };
}

export class PlanGenerator {
  readonly #draw: Draw;

  constructor(draw: Draw) {
    this.#draw = draw;
  }

  terminal(): Terminal {
    const roll = this.#draw.int(0, 9);
    if (roll < 5) return { kind: 'collect' };
    if (roll < 7) return { kind: 'take', n: this.#draw.int(0, 5) };
    if (roll < 9) return { kind: 'first' };
    return { kind: 'unique' };
  }

  /** `mayFail`: the filter may fail on some documents. */
  plan(table: TableName, mayFail: boolean): Plan {
    const plan: Plan = { table };
    if (this.#draw.chance(0.75)) {
      const name = this.#draw.pick(Object.keys(indexes[table]));
      plan.index = name;
      plan.range = this.#range(indexes[table][name] ?? []);
    }
    const order = this.#draw.int(0, 2);
    if (order === 1) plan.order = 'asc';
    if (order === 2) plan.order = 'desc';
    if (this.#draw.chance(0.4)) plan.filter = this.#filter(table, 2, mayFail);
    return plan;
  }

  #bound(field: string): Literal {
    return literal(
      this.#draw.chance(0.15)
        ? this.#draw.pick(foreignBounds)
        : this.#draw.pick(pools[field] ?? foreignBounds),
    );
  }

  /** Equalities on a prefix of the index fields, then maybe bounds on the next one; rarely a range Convex refuses. */
  #range(fields: string[]): RangeStep[] {
    if (this.#draw.chance(0.04)) {
      // Invalid: a field that is not the next one in the index, or not in it at all.
      const field = fields[1] ?? 'missing';
      return [{ op: 'eq', field, value: this.#bound(field) }];
    }
    const eqs = this.#draw.int(0, fields.length);
    const steps: RangeStep[] = fields
      .slice(0, eqs)
      .map((field) => ({ op: 'eq', field, value: this.#bound(field) }));
    const next = fields[eqs];
    if (next !== undefined && this.#draw.chance(0.7)) {
      const lower: RangeStep = {
        op: this.#draw.chance(0.5) ? 'gt' : 'gte',
        field: next,
        value: this.#bound(next),
      };
      const upper: RangeStep = {
        op: this.#draw.chance(0.5) ? 'lt' : 'lte',
        field: next,
        value: this.#bound(next),
      };
      const roll = this.#draw.int(0, 3);
      if (roll === 0) steps.push(lower);
      if (roll === 1) steps.push(upper);
      if (roll === 2) steps.push(lower, upper);
      if (roll === 3) steps.push(upper, lower);
    }
    return steps;
  }

  #filter(table: TableName, depth: number, mayFail: boolean): Expr {
    const roll = this.#draw.int(0, 9);
    if (depth > 0 && roll < 2) {
      return {
        op: this.#draw.chance(0.5) ? 'and' : 'or',
        args: Array.from({ length: this.#draw.int(1, 3) }, () =>
          this.#filter(table, depth - 1, mayFail),
        ),
      };
    }
    if (depth > 0 && roll < 3)
      return { op: 'not', arg: this.#filter(table, depth - 1, mayFail) };
    return table === 'items' ? this.#itemAtom(mayFail) : this.#noteAtom();
  }

  #itemAtom(mayFail: boolean): Expr {
    switch (this.#draw.int(0, 7)) {
      case 0:
        return {
          op: this.#draw.pick(comparisons),
          l: { field: 'n' },
          r: lit(this.#draw.pick(numbers)),
        };
      case 1:
        return {
          op: this.#draw.pick(comparisons),
          l: { field: 's' },
          r: lit(this.#draw.pick(comparableStrings)),
        };
      case 2: {
        // Equality is Convex value order in both: any field, any value.
        const field = this.#draw.pick(['n', 's', 'tag', 'big', 'mixed']);
        return {
          op: this.#draw.chance(0.5) ? 'eq' : 'neq',
          l: { field },
          r: lit(this.#draw.pick(pools[field] ?? mixed)),
        };
      }
      case 3:
        return {
          op: this.#draw.chance(0.5) ? 'eq' : 'neq',
          l: { field: this.#draw.pick(['n', 'mixed', 'big']) },
          r: { field: this.#draw.pick(['n', 'mixed', 'big']) },
        };
      case 4: {
        const field = this.#draw.chance(0.5) ? 'tag' : 'big';
        const value =
          field === 'tag'
            ? this.#draw.pick(['x', 'y', 'z'])
            : this.#draw.pick([-5n, 0n, 3n]);
        return this.#guarded(field, {
          op: this.#draw.pick(orderings),
          l: { field },
          r: lit(value),
        });
      }
      case 5: {
        const arithmetic = this.#draw.pick([
          'add',
          'sub',
          'mul',
          'div',
          'mod',
        ] as const);
        const operand =
          arithmetic === 'add' || arithmetic === 'sub'
            ? this.#draw.pick(numbers)
            : this.#draw.pick([0.5, 2, 3, -2]);
        return {
          op: this.#draw.pick(comparisons),
          l: {
            op: 'add',
            l: { op: arithmetic, l: { field: 'n' }, r: lit(operand) },
            r: lit(0),
          },
          r: lit(this.#draw.pick(numbers)),
        };
      }
      case 6: {
        const arithmetic = this.#draw.pick([
          'add',
          'sub',
          'div',
          'mod',
        ] as const);
        // Division by int64 zero, and int64 with float64, fail on both.
        const operand =
          mayFail && this.#draw.chance(0.1)
            ? this.#draw.pick([0n, 1.5])
            : this.#draw.pick([-3n, 2n, 3n]);
        return this.#guarded('big', {
          op: this.#draw.pick(comparisons),
          l: { op: arithmetic, l: { field: 'big' }, r: lit(operand) },
          r: lit(this.#draw.pick([-5n, 0n, 3n])),
        });
      }
      default:
        return {
          op: this.#draw.pick(comparisons),
          l: { field: 'n' },
          r: {
            op: 'sub',
            l: { field: 'n' },
            r: lit(this.#draw.pick(numbers)),
          },
        };
    }
  }

  #noteAtom(): Expr {
    switch (this.#draw.int(0, 3)) {
      case 0:
        return {
          op: this.#draw.pick(comparisons),
          l: { field: 'owner' },
          r: lit(this.#draw.pick(['a', 'ann', 'b', 'bob', 'zz'])),
        };
      case 1:
        return {
          op: this.#draw.chance(0.5) ? 'eq' : 'neq',
          l: { field: 'meta.rank' },
          r: lit(this.#draw.pick([undefined, ...ranks])),
        };
      case 2:
        return {
          op: this.#draw.chance(0.5) ? 'eq' : 'neq',
          l: { field: 'flag' },
          r: lit(this.#draw.pick([undefined, ...flags])),
        };
      default:
        return {
          op: this.#draw.chance(0.5) ? 'eq' : 'neq',
          l: { field: 'meta' },
          r: lit(
            this.#draw.pick([
              undefined,
              { rank: 1 },
              { rank: 0, label: 'p' },
              { rank: -0 },
            ]),
          ),
        };
    }
  }

  /** `comparison` only where `field` is present: both backends short-circuit `and`. */
  #guarded(field: string, comparison: Expr): Expr {
    return {
      op: 'and',
      args: [{ op: 'neq', l: { field }, r: lit(undefined) }, comparison],
    };
  }
}

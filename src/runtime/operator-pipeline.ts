/**
 * OperatorPipeline: a query's operators (`.filter(...)` and `.take`/limit,
 * in the order the query applied them, convex-runtime.md §3) over the
 * documents its source yields, one at a time. A limit counts only what
 * passed the operators before it.
 */
import type { Document } from '../store/store.ts';
import { passesFilter } from './filter-expression.ts';
import type { SerializedQuery } from './serialized-query.ts';

export class OperatorPipeline {
  readonly #operators: SerializedQuery['operators'];
  /** Per operator: how many documents each limit has let through so far. */
  readonly #passed: number[];

  constructor(operators: SerializedQuery['operators']) {
    this.#operators = operators;
    this.#passed = operators.map(() => 0);
  }

  /** True when a limit has let through all it allows: nothing more can pass. */
  get exhausted(): boolean {
    return this.#operators.some(
      (op, i) => 'limit' in op && (this.#passed[i] ?? 0) >= op.limit,
    );
  }

  /** Whether `document` passes every operator; counts it against the limits it reaches. */
  admit(document: Document): boolean {
    for (const [i, op] of this.#operators.entries()) {
      if ('filter' in op) {
        if (!passesFilter(op.filter, document)) return false;
      } else {
        if ((this.#passed[i] ?? 0) >= op.limit) return false;
        this.#passed[i] = (this.#passed[i] ?? 0) + 1;
      }
    }
    return true;
  }
}

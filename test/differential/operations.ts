/**
 * Random operation sequences for differential runs: inserts, patches,
 * replaces and deletes over the differential app's two tables, and reads
 * (point reads, query plans with index ranges, filters and terminals, page
 * walks, creation-time ranges), drawn from a seeded generator so that a seed
 * names a sequence.
 *
 * What is drawn, and why some things are not, is in plan-generator.ts.
 */
import type { Value } from 'convex/values';
import type { Plan, Terminal } from '../apps/differential/plan.ts';
import { Draw } from './draw.ts';
import { PlanGenerator } from './plan-generator.ts';
import {
  type TableName,
  bigs,
  flags,
  labels,
  mixed,
  numbers,
  owners,
  ranks,
  strings,
  tags,
} from './value-pools.ts';

export type Doc = Record<string, Value>;

/**
 * `target` picks one of the documents inserted so far into `table` (perhaps
 * since deleted), modulo their number: which inserts succeeded is up to the
 * backends, not the generator.
 */
export type Operation =
  | { kind: 'insert'; table: TableName; doc: Doc }
  | {
      kind: 'patch';
      table: TableName;
      target: number;
      set: Doc;
      unset: string[];
    }
  | { kind: 'replace'; table: TableName; target: number; doc: Doc }
  | { kind: 'remove'; table: TableName; target: number }
  | { kind: 'insertThenThrow'; table: TableName; doc: Doc }
  | {
      kind: 'insertAndRead';
      table: TableName;
      docs: Doc[];
      plan: Plan;
      terminal: Terminal;
    }
  | { kind: 'get'; table: TableName; target: number }
  | { kind: 'query'; plan: Plan; terminal: Terminal }
  | { kind: 'paginate'; plan: Plan; pageSize: number }
  | {
      kind: 'createdAfter';
      table: TableName;
      target: number;
      order: 'asc' | 'desc';
    };

export interface GenerateOptions {
  /** Also draw writes that break the schema (which both should refuse). */
  invalidWrites?: boolean;
}

function definedOnly(fields: Record<string, Value | undefined>): Doc {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Doc;
}

export function generateOperations(
  seed: number,
  count: number,
  options: GenerateOptions = {},
): Operation[] {
  return new OperationGenerator(seed, options).take(count);
}

class OperationGenerator {
  readonly #draw: Draw;
  readonly #plans: PlanGenerator;
  readonly #options: GenerateOptions;
  /** Operations drawn so far: the first few are nearly all inserts, so that reads find documents. */
  #drawn = 0;

  constructor(seed: number, options: GenerateOptions) {
    this.#draw = new Draw(seed);
    this.#plans = new PlanGenerator(this.#draw);
    this.#options = options;
  }

  take(count: number): Operation[] {
    return Array.from({ length: count }, () => this.#operation());
  }

  #target(): number {
    return this.#draw.int(0, 1 << 20);
  }

  #table(): TableName {
    return this.#draw.chance(0.7) ? 'items' : 'notes';
  }

  #operation(): Operation {
    const weights = [
      ['insert', this.#drawn++ < 4 ? 400 : 26],
      ['patch', 9],
      ['replace', 5],
      ['remove', 6],
      ['insertThenThrow', 2],
      ['insertAndRead', 4],
      ['get', 4],
      ['query', 28],
      ['paginate', 10],
      ['createdAfter', 3],
      ['invalid', this.#options.invalidWrites ? 4 : 0],
    ] as const;
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.#draw.int(0, total - 1);
    const kind =
      weights.find(([, w]) => (roll -= w) < 0)?.[0] ?? ('insert' as const);
    const table = this.#table();
    const target = this.#target();
    switch (kind) {
      case 'insert':
        return { kind: 'insert', table, doc: this.#doc(table) };
      case 'patch':
        return this.#patch(table, target);
      case 'replace':
        return { kind: 'replace', table, target, doc: this.#doc(table) };
      case 'remove':
        return { kind: 'remove', table, target };
      case 'insertThenThrow':
        return { kind: 'insertThenThrow', table, doc: this.#doc(table) };
      case 'insertAndRead': {
        const terminal = this.#plans.terminal();
        return {
          kind: 'insertAndRead',
          table,
          docs: Array.from({ length: this.#draw.int(1, 3) }, () =>
            this.#doc(table),
          ),
          plan: this.#plans.plan(table, terminal.kind === 'collect'),
          terminal,
        };
      }
      case 'get':
        return { kind: 'get', table, target };
      case 'query': {
        const terminal = this.#plans.terminal();
        return {
          kind: 'query',
          plan: this.#plans.plan(table, terminal.kind === 'collect'),
          terminal,
        };
      }
      case 'paginate':
        return {
          kind: 'paginate',
          plan: this.#plans.plan(table, true),
          // At least 1: Convex refuses 0 (NoDocumentsForPagination), convex-test pages anyway.
          pageSize: this.#draw.int(1, 5),
        };
      case 'createdAfter':
        return {
          kind: 'createdAfter',
          table,
          target,
          order: this.#draw.chance(0.5) ? 'asc' : 'desc',
        };
      case 'invalid':
        return this.#invalidWrite(table, target);
    }
  }

  #doc(table: TableName): Doc {
    if (table === 'items') {
      return definedOnly({
        n: this.#draw.pick(numbers),
        s: this.#draw.pick(strings),
        tag: this.#draw.pick(tags),
        big: this.#draw.pick(bigs),
        mixed: this.#draw.pick(mixed),
      });
    }
    const label = this.#draw.pick(labels);
    return definedOnly({
      owner: this.#draw.pick(owners),
      meta: this.#draw.chance(0.75)
        ? definedOnly({ rank: this.#draw.pick(ranks), label })
        : undefined,
      flag: this.#draw.pick(flags),
    });
  }

  #patch(table: TableName, target: number): Operation {
    const whole = this.#doc(table);
    const optional = table === 'items' ? ['tag', 'big', 'mixed'] : ['meta'];
    const set: Doc = {};
    const unset: string[] = [];
    for (const field of table === 'items'
      ? ['n', 's', 'tag', 'big', 'mixed']
      : ['owner', 'meta', 'flag']) {
      const roll = this.#draw.int(0, 3);
      const value = whole[field];
      if (roll === 0 && value !== undefined) set[field] = value;
      if (roll === 1 && optional.includes(field)) unset.push(field);
    }
    return { kind: 'patch', table, target, set, unset };
  }

  /** A write that breaks the schema: a missing or mistyped required field, or a field the table lacks. */
  #invalidWrite(table: TableName, target: number): Operation {
    switch (this.#draw.int(0, 3)) {
      case 0:
        return {
          kind: 'insert',
          table: 'items',
          doc: definedOnly({ n: this.#draw.pick(numbers), tag: 'x' }),
        };
      case 1:
        return {
          kind: 'insert',
          table: 'notes',
          doc: { owner: 'ann', flag: 'yes' },
        };
      case 2:
        return {
          kind: 'patch',
          table,
          target,
          set: {},
          unset: [table === 'items' ? 'n' : 'owner'],
        };
      default:
        return {
          kind: 'replace',
          table,
          target,
          doc: { ...this.#doc(table), extra: 1 },
        };
    }
  }
}

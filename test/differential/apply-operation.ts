/**
 * Runs one differential operation on one backend and returns what is
 * compared: success or failure (never the error text, which convex-test
 * does not copy from Convex) and the result with ids and creation times
 * replaced through the backend's ledger. A page walk is compared by the
 * concatenation of its pages and its final `isDone`, never by cursors or
 * page boundaries.
 */
import type { JSONValue, Value } from 'convex/values';
import type { Backend, Outcome } from './backends.ts';
import type { IdLedger } from './id-ledger.ts';
import type { Operation } from './operations.ts';

export type Observed =
  | { success: true; value: JSONValue }
  | { success: false; errorMessage: string };

/** What an operation on an existing document observes when there is none yet, on both sides alike. */
const nothingToTarget: Observed = { success: true, value: 'no document yet' };

/** More pages than any walk over the run's documents needs at page size 1. */
const MAX_PAGES = 1_000;

export async function applyOperation(
  backend: Backend,
  ledger: IdLedger,
  op: Operation,
): Promise<Observed> {
  const asValue = (x: unknown) => x as Value;
  const id = 'target' in op ? ledger.pick(op.table, op.target) : null;
  if ('target' in op && id === null) return nothingToTarget;
  switch (op.kind) {
    case 'insert': {
      const result = await backend.mutation('writes:insert', {
        table: op.table,
        doc: op.doc,
      });
      if (result.success) ledger.record(op.table, result.value);
      return observe(ledger, result);
    }
    case 'insertAndRead': {
      const result = await backend.mutation('writes:insertAndRead', {
        table: op.table,
        docs: op.docs,
        plan: asValue(op.plan),
        terminal: asValue(op.terminal),
      });
      if (result.success) {
        const { inserted } = result.value as { inserted: Value[] };
        for (const doc of inserted) ledger.record(op.table, doc);
      }
      return observe(ledger, result);
    }
    case 'insertThenThrow':
      return observe(
        ledger,
        await backend.mutation('writes:insertThenThrow', {
          table: op.table,
          doc: op.doc,
        }),
      );
    case 'patch':
      return observe(
        ledger,
        await backend.mutation('writes:patch', {
          id,
          set: op.set,
          unset: op.unset,
        }),
      );
    case 'replace':
      return observe(
        ledger,
        await backend.mutation('writes:replace', {
          id,
          doc: op.doc,
        }),
      );
    case 'remove':
      return observe(ledger, await backend.mutation('writes:remove', { id }));
    case 'get':
      return observe(ledger, await backend.query('reads:get', { id }));
    case 'query':
      return observe(
        ledger,
        await backend.query('reads:run', {
          plan: asValue(op.plan),
          terminal: asValue(op.terminal),
        }),
      );
    case 'createdAfter':
      return observe(
        ledger,
        await backend.query('reads:createdAfter', {
          table: op.table,
          id,
          order: op.order,
        }),
      );
    case 'paginate':
      return observe(ledger, await walkPages(backend, op));
  }
}

/** Walks a paginated query from the start until `isDone`, one call per page. */
async function walkPages(
  backend: Backend,
  op: Extract<Operation, { kind: 'paginate' }>,
): Promise<Outcome> {
  const rows: Value[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const result = await backend.query('reads:page', {
      plan: op.plan as unknown as Value,
      paginationOpts: { numItems: op.pageSize, cursor },
    });
    if (!result.success) return result;
    const page = result.value as {
      page: Value[];
      isDone: boolean;
      continueCursor: string;
    };
    rows.push(...page.page);
    if (page.isDone) return { success: true, value: { rows, isDone: true } };
    cursor = page.continueCursor;
  }
  return { success: true, value: { rows, isDone: false } };
}

function observe(ledger: IdLedger, outcome: Outcome): Observed {
  return outcome.success
    ? { success: true, value: ledger.normalise(outcome.value) }
    : outcome;
}

/**
 * The dashboard's list of scheduled functions,
 * `_system/frontend/paginatedScheduledJobs` `{paginationOpts, udfPath?}`
 * (convex-backend `system-udfs/convex/_system/frontend/`): documents of
 * `_scheduled_functions`, as `db.system` shows them, a page at a time; only
 * those of one function when `udfPath` names it, in any spelling.
 *
 * The unfinished jobs come first, in Convex's order: soonest due first, the
 * ones in progress among them by when they were due. Convex's list ends
 * there (it pages its `_scheduled_jobs` by next run); this one goes on to
 * the finished jobs (success, failed, canceled), latest due first, so that
 * one subscription shows what is coming and what just happened.
 *
 * Each of the two stretches merges the `by_state_and_time` ranges of its
 * states by the rest of the key (due time, creation time, id). A cursor
 * holds the stretch and that rest of the key, which places it in every
 * state's range at once. No index leads with the function, so `udfPath`
 * filters the rows read: a page ends at `numItems` matches or once 10,000
 * rows are read (MAX_PAGE_ROWS), and an `endCursor` pins a page's end, as
 * in `paginatedTableDocuments`. A page reads ahead in each state's range,
 * so its read set (what reruns it) reaches a little past the rows it shows.
 */
import type { Value } from 'convex/values';
import { documentIndexKey } from '../store/catalog.ts';
import { compareKeys } from '../store/compare-keys.ts';
import {
  type IndexValue,
  decodeIndexKey,
  encodeIndexKey,
} from '../store/index-key.ts';
import type { Document, RangeBound, Transaction } from '../store/store.ts';
import {
  type CursorPosition,
  decodeCursor,
  encodeCursor,
  queryFingerprint,
} from './page-cursor.ts';
import { BY_STATE_AND_TIME, SCHEDULED_FUNCTIONS } from './scheduled-jobs.ts';
import type { SystemQuery, SystemQueryOutcome } from './system-query.ts';
import {
  PAGINATION_OPTS,
  type PaginationOpts,
  STRING_OR_NULL,
} from './system-arguments.ts';
import { MAX_PAGE_ROWS, pageRows } from './system-tables.ts';
import { canonicalUdfPath, parseUdfPath } from './udf-path.ts';

/** Rows per scan when a filter may reject many: few round trips, bounded memory. */
const FILTERED_BATCH = 1024;

interface Stretch {
  states: readonly string[];
  order: 'asc' | 'desc';
}

const STRETCHES: readonly Stretch[] = [
  { states: ['inProgress', 'pending'], order: 'asc' },
  { states: ['success', 'failed', 'canceled'], order: 'desc' },
];

/** The index's whole key, as the store keeps it; a cursor holds all of it but the state. */
const FIELDS = [...BY_STATE_AND_TIME.fields, '_creationTime', '_id'];
const REST_FIELDS = FIELDS.slice(1);

/** Where a page starts or ends: after `rest` in a stretch, or before its first row when null. */
interface Position {
  stretch: number;
  rest: Buffer | null;
}

/** One state's range of the index, read ahead a batch at a time. */
interface StateRange {
  state: string;
  buffered: Document[];
  after: Buffer | undefined;
  exhausted: boolean;
}

interface PageRead {
  start: Position | null;
  /** A pinned end: 'end' reads to the last job. */
  end: Position | 'end' | null;
  numItems: number;
  udfPath: string | null;
}

export const paginatedScheduledJobs: SystemQuery = {
  args: {
    type: 'object',
    value: {
      paginationOpts: { fieldType: PAGINATION_OPTS, optional: false },
      udfPath: { fieldType: STRING_OR_NULL, optional: true },
      // Newer dashboards name the component; Converge has only the app.
      componentId: { fieldType: STRING_OR_NULL, optional: true },
    },
  },
  async handler({ tx }, args) {
    const given = (args['udfPath'] as string | null | undefined) ?? null;
    const udfPath = given === null ? null : canonical(given);
    const opts = args['paginationOpts'] as unknown as PaginationOpts;
    const index = BY_STATE_AND_TIME.name;
    const fingerprint = queryFingerprint({ scheduledJobs: udfPath }, FIELDS);
    let start: Position | 'end' | null;
    let end: Position | 'end' | null;
    try {
      start =
        opts.cursor === null ? null : decodePosition(opts.cursor, fingerprint);
      end =
        (opts.endCursor ?? null) === null
          ? null
          : decodePosition(opts.endCursor as string, fingerprint);
    } catch (error) {
      return { success: false, errorMessage: (error as Error).message };
    }
    if (tx.tableNumber(SCHEDULED_FUNCTIONS) === null) {
      // Nothing was ever scheduled: the first job must rerun this page.
      await tx.scan({
        table: SCHEDULED_FUNCTIONS,
        index,
        eq: [],
        order: 'asc',
        limit: 1,
      });
      return page([], 'end', fingerprint);
    }
    if (start === 'end') return page([], 'end', fingerprint);
    const size = pageRows(opts.numItems);
    if (!size.success) return size;
    const read = await readPage(tx, {
      start,
      end,
      numItems: size.rows,
      udfPath,
    });
    return page(read.documents, read.position, fingerprint);
  },
};

/**
 * Reads the stretches from `start` until `numItems` jobs match, MAX_PAGE_ROWS
 * rows are read, the jobs end, or (when given) the pinned end is passed; the
 * position is where the next page starts.
 */
async function readPage(
  tx: Transaction,
  read: PageRead,
): Promise<{ documents: Document[]; position: Position | 'end' }> {
  const documents: Document[] = [];
  const pinned = read.end !== null;
  const end = read.end === 'end' ? null : read.end;
  let position: Position = read.start ?? { stretch: 0, rest: null };
  let budget = MAX_PAGE_ROWS;
  for (let s = position.stretch; s < STRETCHES.length; s++) {
    if (end !== null && s > end.stretch) return { documents, position: end };
    const stretch = STRETCHES[s] as Stretch;
    const resume = position.stretch === s ? position.rest : null;
    const ranges: StateRange[] = stretch.states.map((state) => ({
      state,
      buffered: [],
      after: resume === null ? undefined : keyIn(state, resume),
      exhausted: false,
    }));
    // A pinned page reads no further than its end's due time.
    const bound =
      end?.stretch === s && end.rest !== null
        ? dueTimeBound(end.rest, stretch.order)
        : {};
    for (;;) {
      for (const range of ranges) {
        if (range.buffered.length > 0 || range.exhausted) continue;
        const wanted =
          pinned || read.udfPath !== null
            ? FILTERED_BATCH
            : read.numItems - documents.length;
        const limit = pinned ? wanted : Math.min(wanted, budget);
        if (limit <= 0) return { documents, position };
        const scanned = await tx.scan({
          table: SCHEDULED_FUNCTIONS,
          index: BY_STATE_AND_TIME.name,
          eq: [range.state],
          ...bound,
          order: stretch.order,
          limit,
          after: range.after,
        });
        budget -= scanned.documents.length;
        range.buffered = scanned.documents;
        range.after = scanned.lastKey ?? range.after;
        range.exhausted = scanned.exhausted || scanned.documents.length === 0;
      }
      const next = firstOf(ranges, stretch.order);
      if (next === null) break;
      const here = { stretch: s, rest: next.rest };
      if (end !== null && beyond(here, end))
        return { documents, position: end };
      next.range.buffered.shift();
      position = here;
      if (read.udfPath === null || next.document['name'] === read.udfPath)
        documents.push(next.document);
      if (!pinned && documents.length >= read.numItems)
        return { documents, position };
    }
  }
  return { documents, position: end ?? 'end' };
}

/** The range whose next row comes first in the stretch's order, and that row; null when all are done. */
function firstOf(
  ranges: readonly StateRange[],
  order: 'asc' | 'desc',
): { range: StateRange; document: Document; rest: Buffer } | null {
  let first: { range: StateRange; document: Document; rest: Buffer } | null =
    null;
  for (const range of ranges) {
    const document = range.buffered[0];
    if (document === undefined) continue;
    const rest = documentIndexKey({ fields: REST_FIELDS }, document);
    const direction = first === null ? -1 : compareKeys(rest, first.rest);
    if (first === null || (order === 'asc' ? direction < 0 : direction > 0))
      first = { range, document, rest };
  }
  return first;
}

/** Whether `here` lies past `end` in page order. */
function beyond(
  here: { stretch: number; rest: Buffer },
  end: Position,
): boolean {
  if (here.stretch !== end.stretch) return here.stretch > end.stretch;
  if (end.rest === null) return true;
  const direction = compareKeys(here.rest, end.rest);
  const order = (STRETCHES[here.stretch] as Stretch).order;
  return order === 'asc' ? direction > 0 : direction < 0;
}

/** The bound on due time that keeps a scan of the end's stretch at or before the end. */
function dueTimeBound(
  rest: Buffer,
  order: 'asc' | 'desc',
): { upper: RangeBound } | { lower: RangeBound } {
  const bound = { value: decodeIndexKey(rest)[0], inclusive: true };
  return order === 'asc' ? { upper: bound } : { lower: bound };
}

/** A state's index key continued by `rest`: keys are concatenations of their values. */
function keyIn(state: string, rest: Buffer): Buffer {
  return Buffer.concat([encodeIndexKey([state]), rest]);
}

function canonical(udfPath: string): string {
  const parsed = parseUdfPath(udfPath);
  return parsed.success ? canonicalUdfPath(parsed.path) : udfPath;
}

function encodePosition(
  position: Position | 'end',
  fingerprint: string,
): string {
  const at: CursorPosition =
    position === 'end'
      ? { kind: 'end' }
      : {
          kind: 'after',
          key: Buffer.concat([
            encodeIndexKey([position.stretch]),
            position.rest ?? Buffer.alloc(0),
          ]),
        };
  return encodeCursor(at, fingerprint);
}

function decodePosition(cursor: string, fingerprint: string): Position | 'end' {
  const at = decodeCursor(cursor, fingerprint);
  if (at.kind === 'end') return 'end';
  let values: unknown[];
  try {
    values = decodeIndexKey(at.key);
  } catch {
    values = [];
  }
  const [stretch, ...rest] = values;
  if (
    typeof stretch !== 'number' ||
    STRETCHES[stretch] === undefined ||
    (rest.length !== 0 && rest.length !== REST_FIELDS.length)
  )
    throw new Error(`InvalidCursor: Failed to parse cursor "${cursor}".`);
  return {
    stretch,
    rest: rest.length === 0 ? null : encodeIndexKey(rest as IndexValue[]),
  };
}

function page(
  documents: Value[],
  position: Position | 'end',
  fingerprint: string,
): SystemQueryOutcome {
  return {
    success: true,
    value: {
      page: documents,
      isDone: position === 'end',
      continueCursor: encodePosition(position, fingerprint),
    },
  };
}

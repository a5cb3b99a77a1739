/**
 * Scheduled jobs: the documents of the `_scheduled_functions` system table
 * and the transitions of their state, each made inside a store transaction
 * so that scheduling commits (or rolls back) with the mutation that
 * scheduled it, and running a scheduled mutation commits with its state
 * change (convex-runtime.md §4.4; the fields are `convex/server`'s
 * `SystemDataModel`):
 *
 *   pending ──▶ inProgress (actions, under a lease) ──▶ success | failed
 *   inProgress ──its lease expired (job-leases.ts)──▶ failed
 *   pending ──▶ success | failed (mutations, in the job's own transaction)
 *   pending | inProgress ──cancel──▶ canceled
 *
 * A job that is done stays as a record; its state never changes again.
 */
import type { Value } from 'convex/values';
import type { Document, Transaction } from '../store/store.ts';

export const SCHEDULED_FUNCTIONS = '_scheduled_functions';
/** The index the scheduler finds due jobs by: state, then time. */
export const BY_STATE_AND_TIME = {
  name: 'by_state_and_time',
  fields: ['state.kind', 'scheduledTime'],
} as const;

/** Convex's per-transaction scheduling limits (knobs.rs). */
export const MAX_JOBS_SCHEDULED = 1000;
export const MAX_SCHEDULED_ARGS_BYTES = 16 * 1024 * 1024;

export type JobState =
  | { kind: 'pending' }
  | { kind: 'inProgress' }
  | { kind: 'success' }
  | { kind: 'failed'; error: string }
  | { kind: 'canceled' };

export interface ScheduledJob {
  id: string;
  /** The canonical path of the function to run. */
  name: string;
  args: Record<string, Value>;
  /** When it is due, in milliseconds since the epoch. */
  scheduledTime: number;
  state: JobState;
}

export async function scheduleJob(
  tx: Transaction,
  job: { name: string; args: Record<string, Value>; scheduledTime: number },
): Promise<string> {
  return tx.insert(SCHEDULED_FUNCTIONS, {
    name: job.name,
    args: [job.args],
    scheduledTime: job.scheduledTime,
    state: { kind: 'pending' },
  });
}

export async function readJob(
  tx: Transaction,
  id: string,
): Promise<ScheduledJob | null> {
  const document = await tx.get(id);
  if (!document || tx.tableNumber(SCHEDULED_FUNCTIONS) === null) return null;
  return jobFromDocument(document);
}

/** Cancels a job that has not finished; a finished or unknown one is left as it is. */
export async function cancelJob(
  tx: Transaction,
  id: string,
  nowMs: number,
): Promise<void> {
  const job = await readJob(tx, id);
  if (job && (job.state.kind === 'pending' || job.state.kind === 'inProgress'))
    await tx.patch(id, { state: { kind: 'canceled' }, completedTime: nowMs });
}

/**
 * Moves a job from `from` to `to`; false when it is no longer in `from`
 * (canceled, or taken by another runner), and then nothing changes.
 */
export async function transitionJob(
  tx: Transaction,
  id: string,
  from: JobState['kind'],
  to: JobState,
  nowMs: number,
): Promise<boolean> {
  const job = await readJob(tx, id);
  if (job?.state.kind !== from) return false;
  const done = to.kind !== 'inProgress' && to.kind !== 'pending';
  await tx.patch(id, {
    state: to,
    ...(done ? { completedTime: nowMs } : {}),
  });
  return true;
}

/** Pending jobs due at `nowMs`, oldest first, at most `limit`; and the time of the next one not yet due. */
export async function dueJobs(
  tx: Transaction,
  nowMs: number,
  limit: number,
): Promise<{ due: ScheduledJob[]; nextTime: number | null }> {
  if (tx.tableNumber(SCHEDULED_FUNCTIONS) === null)
    return { due: [], nextTime: null };
  const { documents } = await tx.scan({
    table: SCHEDULED_FUNCTIONS,
    index: BY_STATE_AND_TIME.name,
    eq: ['pending'],
    order: 'asc',
    limit: limit + 1,
  });
  const jobs = documents.map(jobFromDocument);
  const due = jobs.filter((job) => job.scheduledTime <= nowMs).slice(0, limit);
  const next = jobs.find((job) => job.scheduledTime > nowMs);
  return { due, nextTime: next?.scheduledTime ?? null };
}

function jobFromDocument(document: Document): ScheduledJob {
  const args = document['args'];
  return {
    id: document._id,
    name: document['name'] as string,
    args: (Array.isArray(args) ? args[0] : {}) as Record<string, Value>,
    scheduledTime: document['scheduledTime'] as number,
    state: document['state'] as JobState,
  };
}

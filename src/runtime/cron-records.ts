/**
 * The records of `_cron_jobs`, one per cron job the scheduler has planned,
 * under the identifier `crons.ts` gave it: the job as it was declared (to
 * notice when a reload changes it), when it runs next, and the
 * `_scheduled_functions` jobs of its last two runs, from which the
 * dashboard tells the last run's outcome while the next one is underway.
 * Written by the scheduler only; not Convex's shape, which only the
 * dashboard's `listCronJobs` shows, translated.
 */
import type { Transaction } from '../store/store.ts';
import type { CronJob } from './cron-schedule.ts';

export const CRON_JOBS = '_cron_jobs';
/** At most this many cron jobs per app: Convex's limit on crons is far lower. */
const MAX_CRON_DOCUMENTS = 1000;

export interface CronRecord {
  id: string;
  nextRun: number;
  /** Absent in records written before declarations were kept. */
  declared: string | undefined;
  /** The job of its latest run; absent before its first, and in records older than this field. */
  lastJob: string | undefined;
  /** The job of the run before that. */
  previousJob: string | undefined;
}

/** A cron job's declaration as kept beside its next run, to notice when it changes. */
export function cronDeclaration(cron: CronJob): string {
  return JSON.stringify([cron.name, cron.args, cron.schedule]);
}

/** Every record, by the cron's identifier, read through `tx` (a missing table is not read). */
export async function cronRecords(
  tx: Transaction,
): Promise<Map<string, CronRecord>> {
  const records = new Map<string, CronRecord>();
  if (tx.tableNumber(CRON_JOBS) === null) return records;
  const { documents } = await tx.scan({
    table: CRON_JOBS,
    index: 'by_creation_time',
    eq: [],
    order: 'asc',
    limit: MAX_CRON_DOCUMENTS,
  });
  for (const document of documents)
    records.set(document['identifier'] as string, {
      id: document._id,
      nextRun: document['nextRun'] as number,
      declared: document['declared'] as string | undefined,
      lastJob: document['lastJob'] as string | undefined,
      previousJob: document['previousJob'] as string | undefined,
    });
  return records;
}

/**
 * Job leases: which scheduler runs which action job, and until when the
 * others believe it. A lease is a document of `_scheduled_job_leases`
 * ({jobId, owner, expiresAt}), written in the same transaction as the job
 * state it guards, so every change below is decided by the store's
 * optimistic concurrency alone, on SQLite and PostgreSQL alike:
 *
 *   pending ──claim──▶ inProgress + lease (owner, expiresAt = now + leaseMs)
 *   lease ──renew (owner, every renewMs)──▶ lease (expiresAt = now + leaseMs)
 *   inProgress + lease ──finish (owner)──▶ success | failed, lease deleted
 *   inProgress + expired lease ──take back (anyone)──▶ failed, lease deleted
 *   inProgress, no lease (claimed before leases existed) ──start──▶ failed
 *
 * A renewal and a take-back of the same lease read and write the same index
 * key, so whichever commits first wins and the other conflicts and sees the
 * outcome on its retry. An owner whose lease was taken back lets its action
 * run to the end; its finish then finds the job failed and leaves it so.
 *
 * A process that dies leaves its leases behind: any scheduler fails those
 * jobs once they expire, with Convex's message for an action cut off by a
 * crash. A restarted single process is a new owner, so it fails its own
 * interrupted actions only when their leases run out, at most `leaseMs`
 * after the crash. Leases are not Convex's: `_scheduled_functions` keeps its
 * shape and functions cannot read this table.
 *
 * It is not the scheduler: it neither finds due jobs nor runs them.
 */
import { randomUUID } from 'node:crypto';
import type { DocumentStore, Transaction } from '../store/store.ts';
import {
  BY_STATE_AND_TIME,
  type JobState,
  SCHEDULED_FUNCTIONS,
  transitionJob,
} from './scheduled-jobs.ts';
import { systemTransaction } from './system-transaction.ts';

export const JOB_LEASES = '_scheduled_job_leases';
export const BY_JOB_ID = { name: 'by_job_id', fields: ['jobId'] } as const;
export const BY_EXPIRY = { name: 'by_expiry', fields: ['expiresAt'] } as const;
export const JOB_LEASE_INDEXES = [BY_JOB_ID, BY_EXPIRY];

/** Convex's error for an action whose run was cut off (a crash, a lost lease). */
export const TRANSIENT_ACTION_ERROR = 'Transient error while executing action';

/**
 * How long a dead process's actions stay `inProgress` before another fails
 * them. 30 s is short beside an action's 10-minute limit, and leaves room
 * for two missed renewals plus a few seconds of clock skew between
 * machines, since the owner's clock sets `expiresAt` and the taker's reads it.
 */
const DEFAULT_LEASE_MS = 30_000;
/** A third of the lease: a renewal may fail or be late twice before the lease is lost. */
const DEFAULT_RENEW_MS = 10_000;
/** Expired leases taken back per tick, to keep one transaction small; the rest wait for the next tick. */
const MAX_TAKEN_BACK = 100;
/** `inProgress` jobs examined at start. */
const MAX_UNLEASED = 10_000;

export interface JobLeaseOptions {
  leaseMs?: number;
  renewMs?: number;
  /**
   * A renewal the store failed; the next one tries again, and a lease that
   * runs out meanwhile is taken back as a dead process's would be. By
   * default it is thrown, out of band.
   */
  onError?: (error: unknown) => void;
}

export class JobLeases {
  readonly #store: DocumentStore;
  /** This scheduler's name on its leases; random, so a restarted process is a new owner. */
  readonly owner = randomUUID();
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #onError: (error: unknown) => void;
  /**
   * Lease ids by job id: set when a claim commits, dropped when the job's
   * finish commits or a renewal finds the lease taken back.
   */
  readonly #held = new Map<string, string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #renewal: Promise<void> = Promise.resolve();

  constructor(store: DocumentStore, options: JobLeaseOptions = {}) {
    this.#store = store;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#renewMs = options.renewMs ?? DEFAULT_RENEW_MS;
    this.#onError = options.onError ?? throwOutOfBand;
  }

  /** The jobs this scheduler holds leases on. */
  get held(): ReadonlySet<string> {
    return new Set(this.#held.keys());
  }

  /** Moves a pending action job to `inProgress` under a lease of this scheduler; false when it is no longer pending. */
  async claim(jobId: string, nowMs: number): Promise<boolean> {
    const leaseId = await systemTransaction(this.#store, async (tx) => {
      if (!(await transitionJob(tx, jobId, 'pending', INPROGRESS, nowMs)))
        return null;
      return tx.insert(JOB_LEASES, {
        jobId,
        owner: this.owner,
        expiresAt: nowMs + this.#leaseMs,
      });
    });
    if (leaseId === null) return false;
    this.#held.set(jobId, leaseId);
    return true;
  }

  /**
   * Ends a claimed job: moves it to `to` if it is still `inProgress` (not
   * canceled, not taken back) and deletes the lease, in one transaction.
   * True when the job took `to`.
   */
  async finish(jobId: string, to: JobState, nowMs: number): Promise<boolean> {
    const leaseId = this.#held.get(jobId);
    const moved = await systemTransaction(this.#store, async (tx) => {
      const done = await transitionJob(tx, jobId, 'inProgress', to, nowMs);
      if (leaseId !== undefined && (await tx.get(leaseId))) {
        await tx.delete(leaseId);
      }
      return done;
    });
    this.#held.delete(jobId);
    return moved;
  }

  /** Renews every lease this scheduler holds, in one transaction; a lease found gone was taken back and is dropped. */
  async renew(nowMs: number): Promise<void> {
    if (this.#held.size === 0) return;
    const held = [...this.#held];
    const lost = await systemTransaction(this.#store, async (tx) => {
      const gone: string[] = [];
      for (const [jobId, leaseId] of held) {
        if (!(await tx.get(leaseId))) gone.push(jobId);
        else await tx.patch(leaseId, { expiresAt: nowMs + this.#leaseMs });
      }
      return gone;
    });
    for (const jobId of lost) this.#held.delete(jobId);
  }

  /**
   * Fails the jobs whose leases expired by `nowMs` (if still `inProgress`)
   * and deletes those leases; how many leases it took back.
   */
  async takeBackExpired(nowMs: number): Promise<number> {
    if ((await expiredLeases(await this.#store.begin(), nowMs)).length === 0)
      return 0;
    return systemTransaction(this.#store, async (tx) => {
      const expired = await expiredLeases(tx, nowMs);
      for (const lease of expired) {
        await transitionJob(tx, lease.jobId, 'inProgress', FAILED, nowMs);
        await tx.delete(lease.id);
      }
      return expired.length;
    });
  }

  /** Fails the `inProgress` jobs that have no lease at all, claimed before leases existed; how many. */
  async failUnleased(nowMs: number): Promise<number> {
    const tx = await this.#store.begin();
    if (tx.tableNumber(SCHEDULED_FUNCTIONS) === null) return 0;
    const { documents } = await tx.scan({
      table: SCHEDULED_FUNCTIONS,
      index: BY_STATE_AND_TIME.name,
      eq: ['inProgress'],
      order: 'asc',
      limit: MAX_UNLEASED,
    });
    let failed = 0;
    for (const { _id: jobId } of documents) {
      if (await leaseOf(tx, jobId)) continue;
      const moved = await systemTransaction(this.#store, async (write) => {
        if (await leaseOf(write, jobId)) return false;
        return transitionJob(write, jobId, 'inProgress', FAILED, nowMs);
      });
      if (moved) failed++;
    }
    return failed;
  }

  /** Renews this scheduler's leases every `renewMs` until `stop`. */
  start(): void {
    if (this.#timer !== null) return;
    const next = (): void => {
      this.#timer = setTimeout(() => {
        this.#renewal = this.renew(Date.now())
          .catch(this.#onError)
          .finally(() => {
            if (this.#timer !== null) next();
          });
      }, this.#renewMs);
    };
    next();
  }

  /** Stops renewing, after a renewal under way. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#renewal;
  }
}

const INPROGRESS: JobState = { kind: 'inProgress' };
const FAILED: JobState = { kind: 'failed', error: TRANSIENT_ACTION_ERROR };

interface Lease {
  id: string;
  jobId: string;
}

async function expiredLeases(tx: Transaction, nowMs: number): Promise<Lease[]> {
  if (tx.describeIndex(JOB_LEASES, BY_EXPIRY.name) === null) return [];
  const { documents } = await tx.scan({
    table: JOB_LEASES,
    index: BY_EXPIRY.name,
    eq: [],
    upper: { value: nowMs, inclusive: true },
    order: 'asc',
    limit: MAX_TAKEN_BACK,
  });
  return documents.map((lease) => ({
    id: lease._id,
    jobId: lease['jobId'] as string,
  }));
}

async function leaseOf(tx: Transaction, jobId: string): Promise<boolean> {
  if (tx.describeIndex(JOB_LEASES, BY_JOB_ID.name) === null) return false;
  const { documents } = await tx.scan({
    table: JOB_LEASES,
    index: BY_JOB_ID.name,
    eq: [jobId],
    order: 'asc',
    limit: 1,
  });
  return documents.length > 0;
}

/** Where a failure goes when no one asked for it: the process's uncaught errors. */
export function throwOutOfBand(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

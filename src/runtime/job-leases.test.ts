import { describe, expect, test } from 'vitest';
import type { CommitEntry, DocumentStore } from '../store/store.ts';
import {
  tableDocuments,
  temporaryStore,
} from '../../test/helpers/temporary-store.ts';
import { applySchema } from './apply-schema.ts';
import { JOB_LEASES, JobLeases, TRANSIENT_ACTION_ERROR } from './job-leases.ts';
import {
  SCHEDULED_FUNCTIONS,
  readJob,
  scheduleJob,
  transitionJob,
} from './scheduled-jobs.ts';
import { systemTransaction } from './system-transaction.ts';

const LEASE_MS = 30_000;
const T0 = 1_700_000_000_000;

/** A store with the system indexes and one pending action job due at T0. */
async function storeWithJob() {
  const temporary = await temporaryStore();
  await applySchema(temporary.store, null);
  const jobId = await systemTransaction(temporary.store, (tx) =>
    scheduleJob(tx, { name: 'slow:run', args: {}, scheduledTime: T0 }),
  );
  return {
    store: temporary.store,
    jobId,
    [Symbol.asyncDispose]: () => temporary[Symbol.asyncDispose](),
  };
}

async function stateOf(store: DocumentStore, jobId: string) {
  return (await readJob(await store.begin(), jobId))?.state;
}

function leases(store: DocumentStore) {
  return tableDocuments(store, JOB_LEASES);
}

describe('job leases', () => {
  test('a claim moves the job to inProgress under the claimer’s lease; a second claim finds it taken', async () => {
    await using s = await storeWithJob();
    const a = new JobLeases(s.store, { leaseMs: LEASE_MS });
    const b = new JobLeases(s.store, { leaseMs: LEASE_MS });

    expect(await a.claim(s.jobId, T0)).toBe(true);
    expect(await b.claim(s.jobId, T0 + 1)).toBe(false);

    expect(await stateOf(s.store, s.jobId)).toEqual({ kind: 'inProgress' });
    expect(await leases(s.store)).toMatchObject([
      { jobId: s.jobId, owner: a.owner, expiresAt: T0 + LEASE_MS },
    ]);
    expect(a.held).toEqual(new Set([s.jobId]));
    expect(b.held).toEqual(new Set());
  });

  test('finishing moves the job and deletes its lease in one commit', async () => {
    await using s = await storeWithJob();
    const a = new JobLeases(s.store, { leaseMs: LEASE_MS });
    await a.claim(s.jobId, T0);
    const commits: CommitEntry[] = [];
    s.store.onCommit((entry) => commits.push(entry));

    expect(await a.finish(s.jobId, { kind: 'success' }, T0 + 5)).toBe(true);

    expect(commits).toHaveLength(1);
    expect(commits[0]?.writes.map((write) => write.table).sort()).toEqual([
      SCHEDULED_FUNCTIONS,
      JOB_LEASES,
    ]);
    expect(await stateOf(s.store, s.jobId)).toEqual({ kind: 'success' });
    expect(await leases(s.store)).toEqual([]);
    expect(a.held).toEqual(new Set());
  });

  test('another scheduler takes a lease back only once it has expired, failing the job as Convex does', async () => {
    await using s = await storeWithJob();
    const a = new JobLeases(s.store, { leaseMs: LEASE_MS });
    const b = new JobLeases(s.store, { leaseMs: LEASE_MS });
    await a.claim(s.jobId, T0);

    // A millisecond before expiry the lease still stands.
    expect(await b.takeBackExpired(T0 + LEASE_MS - 1)).toBe(0);
    expect(await stateOf(s.store, s.jobId)).toEqual({ kind: 'inProgress' });

    // At expiry it is taken back: the job fails and the lease is gone.
    expect(await b.takeBackExpired(T0 + LEASE_MS)).toBe(1);
    expect(await stateOf(s.store, s.jobId)).toEqual({
      kind: 'failed',
      error: TRANSIENT_ACTION_ERROR,
    });
    expect(await leases(s.store)).toEqual([]);
  });

  test('a renewal pushes the expiry out, so the old expiry takes nothing back', async () => {
    await using s = await storeWithJob();
    const a = new JobLeases(s.store, { leaseMs: LEASE_MS });
    const b = new JobLeases(s.store, { leaseMs: LEASE_MS });
    await a.claim(s.jobId, T0);

    await a.renew(T0 + 10_000);

    expect(await leases(s.store)).toMatchObject([
      { expiresAt: T0 + 10_000 + LEASE_MS },
    ]);
    expect(await b.takeBackExpired(T0 + LEASE_MS)).toBe(0);
    expect(await stateOf(s.store, s.jobId)).toEqual({ kind: 'inProgress' });
  });

  test('an owner whose lease was taken back drops it on renewal, and its late finish leaves the job failed', async () => {
    await using s = await storeWithJob();
    const a = new JobLeases(s.store, { leaseMs: LEASE_MS });
    const b = new JobLeases(s.store, { leaseMs: LEASE_MS });
    await a.claim(s.jobId, T0);
    // The owner stalled past its lease, and the other took it back.
    await b.takeBackExpired(T0 + LEASE_MS);

    await a.renew(T0 + LEASE_MS + 1);
    expect(a.held).toEqual(new Set());
    expect(await leases(s.store)).toEqual([]);

    // The action ends well after all: the job keeps the failure it was given.
    expect(
      await a.finish(s.jobId, { kind: 'success' }, T0 + LEASE_MS + 2),
    ).toBe(false);
    expect(await stateOf(s.store, s.jobId)).toMatchObject({ kind: 'failed' });
  });

  test('a job canceled while its action runs stays canceled; its lease goes when the action ends or expires', async () => {
    await using s = await storeWithJob();
    const a = new JobLeases(s.store, { leaseMs: LEASE_MS });
    await a.claim(s.jobId, T0);
    await systemTransaction(s.store, (tx) =>
      transitionJob(tx, s.jobId, 'inProgress', { kind: 'canceled' }, T0 + 1),
    );

    expect(await a.finish(s.jobId, { kind: 'success' }, T0 + 2)).toBe(false);
    expect(await stateOf(s.store, s.jobId)).toEqual({ kind: 'canceled' });
    expect(await leases(s.store)).toEqual([]);
  });

  test('at start only jobs left inProgress without any lease are failed; leased ones are left to their owners', async () => {
    await using s = await storeWithJob();
    const unleased = await systemTransaction(s.store, (tx) =>
      scheduleJob(tx, { name: 'old:run', args: {}, scheduledTime: T0 }),
    );
    // Claimed by a version of the scheduler that kept no leases.
    await systemTransaction(s.store, (tx) =>
      transitionJob(tx, unleased, 'pending', { kind: 'inProgress' }, T0),
    );
    const running = new JobLeases(s.store, { leaseMs: LEASE_MS });
    await running.claim(s.jobId, T0);

    const starting = new JobLeases(s.store, { leaseMs: LEASE_MS });
    expect(await starting.failUnleased(T0 + 1)).toBe(1);

    expect(await stateOf(s.store, unleased)).toEqual({
      kind: 'failed',
      error: TRANSIENT_ACTION_ERROR,
    });
    expect(await stateOf(s.store, s.jobId)).toEqual({ kind: 'inProgress' });
  });

  test('once started, the owner renews its leases by itself until stopped', async () => {
    await using s = await storeWithJob();
    const a = new JobLeases(s.store, { leaseMs: LEASE_MS, renewMs: 10 });
    const claimedAt = Date.now();
    await a.claim(s.jobId, claimedAt);

    a.start();
    for (;;) {
      const [lease] = await leases(s.store);
      if (Number(lease?.['expiresAt']) > claimedAt + LEASE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await a.stop();

    // Stopped: the lease no longer moves.
    const [stopped] = await leases(s.store);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await leases(s.store)).toEqual([stopped]);
  });
});

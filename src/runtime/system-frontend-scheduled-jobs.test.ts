import type { Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import {
  type BasicRuntime,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';
import { eventually } from '../../test/helpers/eventually.ts';
import type { CommitEntry } from '../store/store.ts';
import type { QueryOutcome } from './function-runner.ts';
import { Scheduler } from './scheduler.ts';
import { type JobState, cancelJob, transitionJob } from './scheduled-jobs.ts';
import { systemTransaction } from './system-transaction.ts';

const ADMIN = { admin: true };
const PATH = '_system/frontend/paginatedScheduledJobs';

interface Page {
  page: Record<string, Value>[];
  isDone: boolean;
  continueCursor: string;
}

function pageOf(outcome: QueryOutcome): Page {
  if (!outcome.success) throw new Error(outcome.errorMessage);
  return outcome.value as unknown as Page;
}

function jobs(
  rt: BasicRuntime,
  args: Record<string, Value> = {},
  paginationOpts: Record<string, Value> = { numItems: 100, cursor: null },
): Promise<QueryOutcome> {
  return rt.runner.runQuery(PATH, { ...args, paginationOpts }, ADMIN);
}

/** A job as the test names it: the counter it increments (or the function), then its state. */
function label(job: Record<string, Value>): string {
  const [args] = job['args'] as [Record<string, Value>];
  const state = (job['state'] as JobState).kind;
  return `${(args['name'] as string | undefined) ?? (job['name'] as string)} ${state}`;
}

/** Schedules increments of `names`, each `delayMs` from now. */
async function plan(
  rt: BasicRuntime,
  delayMs: number,
  ...names: string[]
): Promise<void> {
  for (const name of names)
    expect(
      await rt.runner.runMutation('scheduling:planLater', {
        name,
        count: 1,
        delayMs,
      }),
    ).toMatchObject({ success: true });
}

/** The id of the listed job whose counter is `name`. */
function idOf(page: Page, name: string): string {
  const job = page.page.find((j) => label(j).startsWith(`${name}0 `));
  if (!job) throw new Error(`no job ${name}`);
  return job._id as string;
}

/** Moves a job as the scheduler does, in a transaction of the runtime's own. */
async function move(
  rt: BasicRuntime,
  id: string,
  from: JobState['kind'],
  to: JobState,
): Promise<void> {
  expect(
    await systemTransaction(rt.store, (tx) =>
      transitionJob(tx, id, from, to, Date.now()),
    ),
  ).toBe(true);
}

describe('the dashboard’s scheduled functions', () => {
  test('unfinished jobs come first, soonest due first; then the finished ones, latest due first; each change reruns the page', async () => {
    await using rt = await startBasicRuntime();
    const commits: CommitEntry[] = [];
    rt.store.onCommit((entry) => commits.push(entry));
    // Nothing scheduled yet: an empty last page.
    expect(pageOf(await jobs(rt))).toMatchObject({ page: [], isDone: true });

    await plan(rt, 60_000, 'late');
    await plan(rt, 1_000, 'soon');
    await plan(rt, 30_000, 'dropped');
    const planned = pageOf(await jobs(rt));
    expect(planned.page.map(label)).toEqual([
      'soon0 pending',
      'dropped0 pending',
      'late0 pending',
    ]);
    // The documents are those `db.system` shows.
    expect(planned.page[0]).toMatchObject({
      name: 'counters:increment',
      args: [{ name: 'soon0' }],
      state: { kind: 'pending' },
    });

    // One is canceled and one starts; the listing follows.
    await systemTransaction(rt.store, (tx) =>
      cancelJob(tx, idOf(planned, 'dropped'), Date.now()),
    );
    await move(rt, idOf(planned, 'soon'), 'pending', { kind: 'inProgress' });
    const started = await jobs(rt);
    expect(pageOf(started).page.map(label)).toEqual([
      'soon0 inProgress',
      'late0 pending',
      'dropped0 canceled',
    ]);
    expect(pageOf(started).page[2]).toHaveProperty('completedTime');

    // Both others finish: a subscriber to the last listing is rerun.
    await move(rt, idOf(planned, 'soon'), 'inProgress', { kind: 'success' });
    expect(started.readSet.overlaps(commits.at(-1)?.writes ?? [])).not.toBe(
      null,
    );
    await move(rt, idOf(planned, 'late'), 'pending', {
      kind: 'failed',
      error: 'Uncaught Error: no',
    });
    const finished = pageOf(await jobs(rt));
    expect(finished.page.map(label)).toEqual([
      'late0 failed',
      'dropped0 canceled',
      'soon0 success',
    ]);
    expect(finished.page[0]).toMatchObject({
      state: { kind: 'failed', error: 'Uncaught Error: no' },
    });
  });

  test('a job the scheduler runs is listed pending, then as a success', async () => {
    await using rt = await startBasicRuntime();
    await plan(rt, 0, 'now');
    expect(pageOf(await jobs(rt)).page.map(label)).toEqual(['now0 pending']);

    const scheduler = new Scheduler(rt.runner, rt.store);
    await scheduler.start();
    try {
      await eventually(async () =>
        expect(pageOf(await jobs(rt)).page.map(label)).toEqual([
          'now0 success',
        ]),
      );
    } finally {
      await scheduler.close();
    }
  });

  test('udfPath keeps one function’s jobs, in any spelling of its path', async () => {
    await using rt = await startBasicRuntime();
    await plan(rt, 1_000, 'counted');
    expect(
      await rt.runner.runMutation('scheduling:planFailure', {}),
    ).toMatchObject({ success: true });

    for (const udfPath of ['scheduling:fails', 'scheduling.js:fails'])
      expect(
        pageOf(await jobs(rt, { udfPath })).page.map((j) => j['name']),
      ).toEqual(['scheduling:fails']);
    expect(
      pageOf(await jobs(rt, { udfPath: 'counters:increment' })).page.map(label),
    ).toEqual(['counted0 pending']);
    expect(pageOf(await jobs(rt, { udfPath: 'nowhere:fn' })).page).toEqual([]);
    expect(pageOf(await jobs(rt, { udfPath: null })).page).toHaveLength(2);
  });

  test('pages follow each other across both stretches, and a pinned page takes in a job that falls inside it', async () => {
    await using rt = await startBasicRuntime();
    await plan(rt, 10_000, 'a');
    await plan(rt, 20_000, 'b');
    await plan(rt, 30_000, 'c');
    await plan(rt, 40_000, 'd');
    const all = pageOf(await jobs(rt));
    await systemTransaction(rt.store, (tx) =>
      cancelJob(tx, idOf(all, 'c'), Date.now()),
    );
    await systemTransaction(rt.store, (tx) =>
      cancelJob(tx, idOf(all, 'd'), Date.now()),
    );

    const labels: string[] = [];
    const cursors: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = pageOf(
        await jobs(rt, {}, { numItems: 1, cursor: cursor as Value }),
      );
      labels.push(...page.page.map(label));
      cursors.push(page.continueCursor);
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
    expect(labels).toEqual([
      'a0 pending',
      'b0 pending',
      'd0 canceled',
      'c0 canceled',
    ]);

    // The first page, pinned at its end, grows by a job due before it ends.
    await plan(rt, 0, 'first');
    const pinned = pageOf(
      await jobs(
        rt,
        {},
        { numItems: 1, cursor: null, endCursor: cursors[0] as string },
      ),
    );
    expect(pinned.page.map(label)).toEqual(['first0 pending', 'a0 pending']);
    expect(pinned.continueCursor).toBe(cursors[0]);
  });

  test('a cursor of another listing, or not a cursor, is refused as InvalidCursor', async () => {
    await using rt = await startBasicRuntime();
    await plan(rt, 1_000, 'x');
    await plan(rt, 2_000, 'y');
    const { continueCursor } = pageOf(
      await jobs(rt, {}, { numItems: 1, cursor: null }),
    );
    for (const [args, cursor] of [
      [{ udfPath: 'counters:increment' }, continueCursor],
      [{}, 'not a cursor'],
    ] as const)
      expect(await jobs(rt, args, { numItems: 1, cursor })).toMatchObject({
        success: false,
        errorMessage: expect.stringMatching(/^InvalidCursor/) as unknown,
      });
  });

  test('only an admin acting as itself reads it', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runQuery(
        PATH,
        { paginationOpts: { numItems: 10, cursor: null } },
        { fromClient: true },
      ),
    ).toMatchObject({
      success: false,
      errorMessage: 'Operation query not permitted',
    });
  });
});

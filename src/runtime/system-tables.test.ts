import type { Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import type { CommitEntry } from '../store/store.ts';
import { changeEnvironment } from './environment-variables.ts';
import type { QueryOutcome } from './function-runner.ts';

const ADMIN = { admin: true };

interface Page {
  page: Record<string, Value>[];
  isDone: boolean;
  continueCursor: string;
}

function pageOf(outcome: QueryOutcome): Page {
  if (!outcome.success) throw new Error(outcome.errorMessage);
  return outcome.value as unknown as Page;
}

describe('the table system queries', () => {
  test('tables lists the user tables, and a new one once the commit creating it lands', async () => {
    await using rt = await startBasicRuntime();
    const commits: CommitEntry[] = [];
    rt.store.onCommit((entry) => commits.push(entry));
    const args = { paginationOpts: { numItems: 100, cursor: null } };
    const names = (outcome: QueryOutcome) =>
      pageOf(outcome).page.map((table) => table['name']);

    await rt.runner.runMutation('messages:send', {
      channel: 'general',
      body: 'hi',
    });
    // A scheduled job makes `_scheduled_functions`, which is not listed.
    await rt.runner.runMutation('scheduling:plan', { name: 'later' });
    const first = await rt.runner.runQuery('_system/cli/tables', args, ADMIN);
    expect(names(first)).toContain('messages');
    expect(names(first)).not.toContain('_scheduled_functions');
    expect(names(first)).not.toContain('notes');
    expect(pageOf(first).isDone).toBe(true);

    // A table is created by its first document; that commit invalidates the list.
    const tx = await rt.store.begin();
    await tx.insert('notes', { text: 'first' });
    expect(await tx.commit()).toMatchObject({ success: true });
    expect(first.readSet.overlaps(commits.at(-1)?.writes ?? [])).not.toBe(null);
    expect(
      names(await rt.runner.runQuery('_system/cli/tables', args, ADMIN)),
    ).toContain('notes');
  });

  test('tableData pages through a table by creation time, either way, to the end', async () => {
    await using rt = await startBasicRuntime();
    for (const body of ['one', 'two', 'three'])
      await rt.runner.runMutation('messages:send', { channel: 'c', body });
    const read = async (order: 'asc' | 'desc') => {
      const bodies: unknown[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const page = pageOf(
          await rt.runner.runQuery(
            '_system/cli/tableData',
            {
              table: 'messages',
              order,
              paginationOpts: { numItems: 2, cursor },
            },
            ADMIN,
          ),
        );
        bodies.push(...page.page.map((document) => document['body']));
        if (page.isDone) return bodies;
        cursor = page.continueCursor;
      }
      throw new Error('the pages never ended');
    };
    expect(await read('asc')).toEqual(['one', 'two', 'three']);
    expect(await read('desc')).toEqual(['three', 'two', 'one']);
  });

  test('tableData shows _storage and _scheduled_functions, hides the other system tables, and refuses a foreign cursor', async () => {
    await using rt = await startBasicRuntime();
    await rt.runner.runMutation('scheduling:plan', { name: 'later' });
    const data = (table: string, cursor: string | null = null) =>
      rt.runner.runQuery(
        '_system/cli/tableData',
        { table, order: 'desc', paginationOpts: { numItems: 10, cursor } },
        ADMIN,
      );
    // `plan` schedules three jobs (one of them canceled).
    expect(pageOf(await data('_scheduled_functions')).page).toHaveLength(3);
    await changeEnvironment(rt.store, [{ name: 'SECRET', value: 'hidden' }]);
    expect(pageOf(await data('_environment_variables'))).toMatchObject({
      page: [],
      isDone: true,
    });
    expect(pageOf(await data('nothing_here'))).toMatchObject({
      page: [],
      isDone: true,
    });

    const foreign = pageOf(await data('_scheduled_functions')).continueCursor;
    expect(await data('messages', foreign)).toMatchObject({
      success: false,
      errorMessage: expect.stringMatching(/^InvalidCursor: /) as string,
    });
  });

  test('tableSize counts a table’s documents, and a missing table as 0', async () => {
    await using rt = await startBasicRuntime();
    for (const body of ['one', 'two'])
      await rt.runner.runMutation('messages:send', { channel: 'c', body });
    const size = (tableName: string) =>
      rt.runner.runQuery('_system/cli/tableSize', { tableName }, ADMIN);
    expect(await size('messages')).toMatchObject({ success: true, value: 2 });
    expect(await size('nothing_here')).toMatchObject({
      success: true,
      value: 0,
    });
  });

  test('queryTable reads a whole table: any write to it reruns its subscribers', async () => {
    await using rt = await startBasicRuntime();
    const commits: CommitEntry[] = [];
    rt.store.onCommit((entry) => commits.push(entry));
    await rt.runner.runMutation('messages:send', { channel: 'c', body: 'a' });
    const watched = await rt.runner.runQuery(
      '_system/cli/queryTable',
      { tableName: 'messages' },
      ADMIN,
    );
    expect(watched).toMatchObject({ success: true });

    await rt.runner.runMutation('counters:increment', { name: 'elsewhere' });
    expect(watched.readSet.overlaps(commits.at(-1)?.writes ?? [])).toBe(null);
    await rt.runner.runMutation('messages:send', { channel: 'd', body: 'b' });
    expect(watched.readSet.overlaps(commits.at(-1)?.writes ?? [])).not.toBe(
      null,
    );
  });
});

test('a page of NaN rows is refused by every paged system query, not read', async () => {
  await using rt = await startBasicRuntime();
  // A document and a scheduled job, so that each listing has rows to read.
  await rt.runner.runMutation('messages:send', { channel: 'c', body: 'one' });
  await rt.runner.runMutation('scheduling:plan', { name: 'nan' });
  const paginationOpts = { numItems: Number.NaN, cursor: null };
  for (const [path, args] of [
    [
      '_system/cli/tableData',
      { table: 'messages', order: 'asc', paginationOpts },
    ],
    [
      '_system/frontend/paginatedTableDocuments',
      { table: 'messages', filters: null, paginationOpts },
    ],
    ['_system/frontend/paginatedScheduledJobs', { paginationOpts }],
  ] as const) {
    expect(await rt.runner.runQuery(path, args, ADMIN)).toMatchObject({
      success: false,
      errorMessage: 'paginationOpts.numItems must be a number, not NaN.',
    });
  }
});

import type { JSONValue, Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import {
  type BasicRuntime,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';
import type { CommitEntry } from '../store/store.ts';
import { UNDEFINED_PLACEHOLDER } from './dashboard-filter.ts';
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

/** The dashboard's encoding of filter clauses. */
function encoded(clauses: Record<string, JSONValue>[]): string {
  return Buffer.from(JSON.stringify({ clauses })).toString('base64');
}

async function add(
  rt: BasicRuntime,
  table: string,
  documents: Record<string, Value>[],
): Promise<void> {
  expect(
    await rt.runner.runMutation(
      '_system/frontend/addDocument',
      { table, documents },
      ADMIN,
    ),
  ).toMatchObject({ success: true, value: { success: true } });
}

function documents(
  rt: BasicRuntime,
  args: Record<string, Value>,
  paginationOpts: Record<string, Value> = { numItems: 100, cursor: null },
): Promise<QueryOutcome> {
  return rt.runner.runQuery(
    '_system/frontend/paginatedTableDocuments',
    { filters: null, ...args, paginationOpts },
    ADMIN,
  );
}

/** Every page's documents' `field`, following cursors to the end. */
async function allPages(
  rt: BasicRuntime,
  args: Record<string, Value>,
  numItems: number,
  field: string,
): Promise<{ values: Value[]; pages: number }> {
  const values: Value[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 50; pages++) {
    const page = pageOf(await documents(rt, args, { numItems, cursor }));
    values.push(...page.page.map((document) => document[field] ?? null));
    if (page.isDone) return { values, pages };
    cursor = page.continueCursor;
  }
  throw new Error('the pages never ended');
}

async function withCounters(): Promise<BasicRuntime> {
  const rt = await startBasicRuntime();
  await add(rt, 'counters', [
    { name: 'c', value: 3 },
    { name: 'a', value: 1 },
    { name: 'e', value: 5 },
    { name: 'b', value: 2 },
    { name: 'd', value: 4 },
  ]);
  return rt;
}

describe('paginatedTableDocuments', () => {
  test('shows a table newest first unless asked for ascending, or along a schema index', async () => {
    await using rt = await withCounters();
    const names = async (args: Record<string, Value>) =>
      pageOf(await documents(rt, { table: 'counters', ...args })).page.map(
        (document) => document['name'],
      );
    expect(await names({})).toEqual(['d', 'b', 'e', 'a', 'c']);
    expect(await names({ order: 'asc' })).toEqual(['c', 'a', 'e', 'b', 'd']);
    expect(await names({ index: 'by_name', order: 'asc' })).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(await names({ index: 'by_name' })).toEqual([
      'e',
      'd',
      'c',
      'b',
      'a',
    ]);
  });

  test('pages follow their cursors over every document exactly once, filtered or not', async () => {
    await using rt = await withCounters();
    expect(
      await allPages(rt, { table: 'counters', index: 'by_name' }, 2, 'name'),
    ).toEqual({ values: ['e', 'd', 'c', 'b', 'a'], pages: 3 });
    const odd = encoded([{ op: 'neq', field: 'name', value: 'c' }]);
    expect(
      await allPages(
        rt,
        { table: 'counters', index: 'by_name', order: 'asc', filters: odd },
        2,
        'name',
      ),
    ).toEqual({ values: ['a', 'b', 'd', 'e'], pages: 2 });
  });

  test('filters keep the documents every enabled clause holds for; a missing field is undefined', async () => {
    await using rt = await startBasicRuntime();
    await add(rt, 'messages', [
      { channel: 'general', body: 'one', author: 'ada' },
      { channel: 'general', body: 'two' },
      { channel: 'random', body: 'three', author: 'bob' },
    ]);
    const bodies = async (clauses: Record<string, JSONValue>[]) =>
      pageOf(
        await documents(rt, {
          table: 'messages',
          order: 'asc',
          filters: encoded(clauses),
        }),
      ).page.map((document) => document['body']);

    expect(
      await bodies([{ op: 'eq', field: 'channel', value: 'general' }]),
    ).toEqual(['one', 'two']);
    // The placeholder, or no value, asks for documents without the field.
    expect(
      await bodies([
        { op: 'eq', field: 'author', value: UNDEFINED_PLACEHOLDER },
      ]),
    ).toEqual(['two']);
    expect(await bodies([{ op: 'neq', field: 'author' }])).toEqual([
      'one',
      'three',
    ]);
    // `undefined` sorts before every value: below "a", not above it.
    expect(await bodies([{ op: 'gt', field: 'author', value: 'a' }])).toEqual([
      'one',
      'three',
    ]);
    expect(await bodies([{ op: 'lt', field: 'author', value: 'a' }])).toEqual([
      'two',
    ]);
    // Clauses hold together; a disabled one does not count.
    expect(
      await bodies([
        { op: 'eq', field: 'channel', value: 'general' },
        { op: 'eq', field: 'author', value: 'ada' },
        { op: 'eq', field: 'body', value: 'nothing', enabled: false },
      ]),
    ).toEqual(['one']);
    expect(
      await bodies([
        { op: 'anyOf', field: 'author', value: ['bob', UNDEFINED_PLACEHOLDER] },
      ]),
    ).toEqual(['two', 'three']);
    expect(
      await bodies([{ op: 'noneOf', field: 'channel', value: ['general'] }]),
    ).toEqual(['three']);
  });

  test('compares numbers as numbers', async () => {
    await using rt = await withCounters();
    const page = pageOf(
      await documents(rt, {
        table: 'counters',
        index: 'by_name',
        order: 'asc',
        filters: encoded([{ op: 'gt', field: 'value', value: 2 }]),
      }),
    );
    expect(page.page.map((document) => document['value'])).toEqual([3, 4, 5]);
  });

  test('refuses bad filters and unknown indexes, and reads a missing table as empty', async () => {
    await using rt = await withCounters();
    for (const filters of [
      'not base64 of anything',
      Buffer.from('{"clauses": 3}').toString('base64'),
      encoded([{ op: 'like', field: 'name', value: 'a' }]),
      encoded([{ op: 'eq', field: 'name', value: { $bytes: 7 } }]),
    ])
      expect(await documents(rt, { table: 'counters', filters })).toMatchObject(
        {
          success: false,
          errorMessage: expect.stringMatching(/^Invalid filters: /) as string,
        },
      );
    expect(
      await documents(rt, { table: 'counters', index: 'by_nothing' }),
    ).toMatchObject({
      success: false,
      errorMessage: 'Index counters.by_nothing not found.',
    });
    expect(
      pageOf(await documents(rt, { table: 'nothing_here' })),
    ).toMatchObject({ page: [], isDone: true });
    // A cursor of another query is refused, as `usePaginatedQuery` expects.
    const { continueCursor } = pageOf(
      await documents(rt, { table: 'counters' }, { numItems: 1, cursor: null }),
    );
    expect(
      await documents(
        rt,
        { table: 'counters', order: 'asc' },
        { numItems: 1, cursor: continueCursor },
      ),
    ).toMatchObject({
      success: false,
      errorMessage: expect.stringMatching(/^InvalidCursor: /) as string,
    });
  });

  test('shows _storage and _scheduled_functions, not the private system tables', async () => {
    await using rt = await startBasicRuntime();
    await rt.runner.runMutation('scheduling:plan', { name: 'later' });
    expect(
      pageOf(await documents(rt, { table: '_scheduled_functions' })).page,
    ).toHaveLength(3);
    expect(
      pageOf(await documents(rt, { table: '_module_sources' })),
    ).toMatchObject({ page: [], isDone: true });
  });

  test('a page reads at most 10,000 rows, and the next goes on from there', async () => {
    await using rt = await startBasicRuntime();
    for (let batch = 0; batch < 3; batch++)
      await add(
        rt,
        'counters',
        Array.from({ length: 4000 }, (_, i) => ({
          name: `n${batch * 4000 + i}`,
          value: batch * 4000 + i,
        })),
      );
    const last = encoded([{ op: 'eq', field: 'value', value: 11_999 }]);
    const args = { table: 'counters', order: 'asc' as const, filters: last };
    const first = pageOf(
      await documents(rt, args, { numItems: 10, cursor: null }),
    );
    expect(first).toMatchObject({ page: [], isDone: false });
    const second = pageOf(
      await documents(rt, args, { numItems: 10, cursor: first.continueCursor }),
    );
    expect(second.page.map((document) => document['name'])).toEqual(['n11999']);
    expect(second.isDone).toBe(true);
  });

  test('a page pinned to its end cursor keeps its stretch of the index when a document lands in it', async () => {
    await using rt = await withCounters();
    const commits: CommitEntry[] = [];
    rt.store.onCommit((entry) => commits.push(entry));
    const args = { table: 'counters', index: 'by_name', order: 'asc' as const };
    const first = await documents(rt, args, { numItems: 2, cursor: null });
    const { continueCursor } = pageOf(first);
    expect(pageOf(first).page.map((document) => document['name'])).toEqual([
      'a',
      'b',
    ]);

    await add(rt, 'counters', [{ name: 'aa', value: 0 }]);
    expect(first.readSet.overlaps(commits.at(-1)?.writes ?? [])).not.toBe(null);
    const rerun = pageOf(
      await documents(rt, args, {
        numItems: 2,
        cursor: null,
        endCursor: continueCursor,
      }),
    );
    expect(rerun.page.map((document) => document['name'])).toEqual([
      'a',
      'aa',
      'b',
    ]);
    expect(rerun.continueCursor).toBe(continueCursor);
    const rest = pageOf(
      await documents(rt, args, { numItems: 10, cursor: continueCursor }),
    );
    expect(rest.page.map((document) => document['name'])).toEqual([
      'c',
      'd',
      'e',
    ]);
  });
});

describe('getById', () => {
  test('finds a document of the table, and null for an id of another table or none', async () => {
    await using rt = await startBasicRuntime();
    const sent = await rt.runner.runMutation('messages:send', {
      channel: 'c',
      body: 'hello',
    });
    const id = (sent as { value: string }).value;
    const get = (table: string, id: string) =>
      rt.runner.runQuery('_system/frontend/getById', { table, id }, ADMIN);
    expect(await get('messages', id)).toMatchObject({
      success: true,
      value: { _id: id, body: 'hello' },
    });
    expect(await get('counters', id)).toMatchObject({
      success: true,
      value: null,
    });
    expect(await get('messages', 'not an id')).toMatchObject({
      success: true,
      value: null,
    });
    await rt.runner.runMutation('messages:remove', { id });
    expect(await get('messages', id)).toMatchObject({
      success: true,
      value: null,
    });
  });
});

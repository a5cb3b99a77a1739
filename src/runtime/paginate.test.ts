/**
 * paginate() through the runtime: page walks, cursors bound to their query,
 * one paginated query per function, and journals that pin a reactive page's
 * end while its subscription reruns (convex-runtime.md §3.4).
 */
import {
  type BasicRuntime,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';
import { expect, test } from 'vitest';
import type { QueryOutcome } from './function-runner.ts';

interface Page {
  page: { body: string }[];
  isDone: boolean;
  continueCursor: string;
}

async function send(
  rt: BasicRuntime,
  channel: string,
  body: string,
): Promise<void> {
  const result = await rt.runner.runMutation('messages:send', {
    channel,
    body,
  });
  if (!result.success) throw new Error(result.errorMessage);
}

function page(outcome: QueryOutcome): Page {
  if (!outcome.success) throw new Error(outcome.errorMessage);
  return outcome.value as unknown as Page;
}

test('a paginated query walks its range page by page to isDone', async () => {
  await using rt = await startBasicRuntime();
  for (const body of ['a', 'b', 'c', 'd', 'e']) await send(rt, 'general', body);
  await send(rt, 'random', 'x');

  const bodies: string[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i++) {
    const result = page(
      await rt.runner.runQuery('pages:byChannel', {
        channel: 'general',
        paginationOpts: { numItems: 2, cursor },
      }),
    );
    bodies.push(result.page.map((m) => m.body));
    if (result.isDone) break;
    cursor = result.continueCursor;
  }
  // Convex reports isDone only once a page reaches the end of the range.
  expect(bodies).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
});

test('a cursor from another query is refused with InvalidCursor', async () => {
  await using rt = await startBasicRuntime();
  await send(rt, 'general', 'a');
  await send(rt, 'general', 'b');
  const first = page(
    await rt.runner.runQuery('pages:all', {
      paginationOpts: { numItems: 1, cursor: null },
    }),
  );
  const foreign = await rt.runner.runQuery('pages:byChannel', {
    channel: 'general',
    paginationOpts: { numItems: 1, cursor: first.continueCursor },
  });
  expect(foreign).toMatchObject({ success: false });
  expect(foreign.success ? '' : foreign.errorMessage).toMatch(/InvalidCursor/);
});

test('only one paginated query may run in a function', async () => {
  await using rt = await startBasicRuntime();
  const result = await rt.runner.runQuery('pages:twice', {});
  expect(result.success ? '' : result.errorMessage).toMatch(
    /ran multiple paginated queries/,
  );
});

test('a journal pins the end of a page across reruns: the page shrinks rather than slides', async () => {
  await using rt = await startBasicRuntime();
  for (const body of ['a', 'b', 'c', 'd']) await send(rt, 'general', body);
  const args = {
    channel: 'general',
    paginationOpts: { numItems: 2, cursor: null },
  };
  const first = await rt.runner.runQuery('pages:byChannel', args);
  expect(page(first).page.map((m) => m.body)).toEqual(['a', 'b']);
  expect(first.journal).toBe(page(first).continueCursor);

  // 'a' is deleted. The rerun with the journal keeps its end after 'b', so the next page
  // (which starts from that same cursor) neither skips nor repeats 'c'.
  const a = (page(first).page[0] as unknown as { _id: string })._id;
  expect(
    await rt.runner.runMutation('messages:remove', { id: a }),
  ).toMatchObject({ success: true });
  const rerun = await rt.runner.runQuery('pages:byChannel', args, {
    journal: first.journal,
  });
  expect(page(rerun).page.map((m) => m.body)).toEqual(['b']);
  expect(rerun.journal).toBe(first.journal);
  const next = await rt.runner.runQuery('pages:byChannel', {
    channel: 'general',
    paginationOpts: { numItems: 2, cursor: page(rerun).continueCursor },
  });
  expect(page(next).page.map((m) => m.body)).toEqual(['c', 'd']);

  // Without a journal the first page slides to the next two rows.
  const fresh = await rt.runner.runQuery('pages:byChannel', args);
  expect(page(fresh).page.map((m) => m.body)).toEqual(['b', 'c']);
});

test('a page cut short by maximumRowsRead must be split, and says where', async () => {
  await using rt = await startBasicRuntime();
  for (const body of ['a', 'b', 'c', 'd', 'e', 'f'])
    await send(rt, 'general', body);
  const walk = (opts: Record<string, unknown>) =>
    rt.runner.runQuery('pages:byChannel', {
      channel: 'general',
      paginationOpts: { numItems: 10, cursor: null, ...opts },
    });
  const cut = (await walk({ maximumRowsRead: 4 })) as QueryOutcome & {
    value: Page & { pageStatus: string; splitCursor: string };
  };
  expect(cut.value.page.map((m) => m.body)).toEqual(['a', 'b', 'c', 'd']);
  expect(cut.value).toMatchObject({
    isDone: false,
    pageStatus: 'SplitRequired',
  });
  const { splitCursor } = cut.value;
  expect(
    page(await walk({ endCursor: splitCursor })).page.map((m) => m.body),
  ).toEqual(['a', 'b']);
  expect(
    page(await walk({ cursor: splitCursor })).page.map((m) => m.body),
  ).toEqual(['c', 'd', 'e', 'f']);

  expect(page(await walk({}))).toMatchObject({
    splitCursor: null,
    pageStatus: null,
  });
});

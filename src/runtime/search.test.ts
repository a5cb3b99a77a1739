import { describe, expect, test } from 'vitest';
import {
  type BasicRuntime,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';

async function send(rt: BasicRuntime, channel: string, body: string) {
  const sent = await rt.runner.runMutation('messages:send', { channel, body });
  if (!sent.success) throw new Error(sent.errorMessage);
}

describe('text search through withSearchIndex', () => {
  test('finds documents by their words, best match first, with filter fields and a prefix on the last term', async () => {
    await using rt = await startBasicRuntime();
    await send(rt, 'general', 'the quick brown fox');
    await send(rt, 'general', 'a lazy dog sleeps');
    await send(rt, 'random', 'quick quick fox, quicker than the dog');
    await send(rt, 'random', 'nothing to see');

    const search = async (text: string, channel?: string) => {
      const result = await rt.runner.runQuery('search:messages', {
        text,
        ...(channel === undefined ? {} : { channel }),
      });
      if (!result.success) throw new Error(result.errorMessage);
      return result.value;
    };
    // "quick" twice outweighs a longer text; "quicker" is another word.
    expect(await search('quick')).toEqual([
      'quick quick fox, quicker than the dog',
      'the quick brown fox',
    ]);
    expect(await search('brown fox')).toEqual([
      'the quick brown fox',
      'quick quick fox, quicker than the dog',
    ]);
    expect(await search('QUICK', 'general')).toEqual(['the quick brown fox']);
    expect(await search('sle')).toEqual(['a lazy dog sleeps']);
    expect(await search('cat')).toEqual([]);
  });

  test('a search query is reactive to every write of its table, and pages through results', async () => {
    await using rt = await startBasicRuntime();
    for (const body of ['fox one', 'fox two', 'fox three'])
      await send(rt, 'general', body);
    const first = await rt.runner.runQuery('search:pages', {
      text: 'fox',
      paginationOpts: { numItems: 2, cursor: null },
    });
    if (!first.success) throw new Error(first.errorMessage);
    expect(first.readSet.size).toBeGreaterThan(0);
    const { page, continueCursor, isDone } = first.value as {
      page: { body: string }[];
      continueCursor: string;
      isDone: boolean;
    };
    expect(page).toHaveLength(2);
    expect(isDone).toBe(false);
    const rest = await rt.runner.runQuery('search:pages', {
      text: 'fox',
      paginationOpts: { numItems: 2, cursor: continueCursor },
    });
    expect(rest).toMatchObject({ success: true, value: { isDone: true } });
    const all = [
      ...page,
      ...((rest.success ? rest.value : { page: [] }) as { page: [] }).page,
    ].map((m: { body: string }) => m.body);
    expect(all.sort()).toEqual(['fox one', 'fox three', 'fox two']);
  });
});

describe('vector search in actions', () => {
  test('returns the nearest documents by cosine similarity, within a filter', async () => {
    await using rt = await startBasicRuntime();
    for (const [kind, label, vector] of [
      ['animal', 'cat', [1, 0, 0]],
      ['animal', 'dog', [0.9, 0.1, 0]],
      ['plant', 'fern', [1, 0, 0.05]],
      ['animal', 'fish', [0, 0, 1]],
    ] as const)
      await rt.runner.runMutation('search:addEmbedding', {
        kind,
        label,
        vector: [...vector],
      });
    expect(
      await rt.runner.runAction('search:nearest', { vector: [1, 0, 0] }),
    ).toMatchObject({
      success: true,
      value: { labels: ['cat', 'fern'], scores: [1, 0.999] },
    });
    expect(
      await rt.runner.runAction('search:nearest', {
        vector: [1, 0, 0],
        kind: 'animal',
      }),
    ).toMatchObject({ value: { labels: ['cat', 'dog'] } });
    const wrongSize = await rt.runner.runAction('search:nearest', {
      vector: [1, 0],
    });
    expect(wrongSize).toMatchObject({ success: false });
  });
});

import { describe, expect, test } from 'vitest';
import {
  insertRows,
  temporaryStore,
} from '../../test/helpers/temporary-store.ts';
import { type TablePage, tablePages } from './table-pages.ts';

async function collect(pages: AsyncIterable<TablePage>) {
  const sizes: number[] = [];
  const values: unknown[] = [];
  for await (const page of pages) {
    sizes.push(page.documents.length);
    values.push(...page.documents.map((document) => document['i']));
  }
  return { sizes, values };
}

describe('tablePages() reads a table whole, a page per transaction', () => {
  test('at one snapshot: what is written while it reads is not in it', async () => {
    await using fresh = await temporaryStore();
    const { store } = fresh;
    await insertRows(store, 't', [
      { i: 0 },
      { i: 1 },
      { i: 2 },
      { i: 3 },
      { i: 4 },
    ]);
    const ts = await store.latestTs();
    const pages = tablePages(store, 't', { ts, pageSize: 2 });
    const first = await pages.next();
    expect(first.done ? [] : first.value.documents.map((d) => d['i'])).toEqual([
      0, 1,
    ]);
    await insertRows(store, 't', [{ i: 5 }]);
    expect(await collect(pages)).toEqual({ sizes: [2, 1], values: [2, 3, 4] });
    expect((await collect(tablePages(store, 't'))).values).toHaveLength(6);
  });

  test('in _id order when asked, with each page’s transaction', async () => {
    await using fresh = await temporaryStore();
    const ids = await insertRows(fresh.store, 't', [
      { i: 0 },
      { i: 1 },
      { i: 2 },
    ]);
    const seen: string[] = [];
    for await (const { documents, tx } of tablePages(fresh.store, 't', {
      index: 'by_id',
    })) {
      expect(tx.tableNumber('t')).not.toBeNull();
      seen.push(...documents.map((d) => d._id));
    }
    expect(seen).toEqual([...ids].sort());
  });

  test('a page that breaks the read limits is read again in halves; a missing table has no pages', async () => {
    await using fresh = await temporaryStore();
    const { store } = fresh;
    // 20 documents of 900 KB: 18 MB, more than the 16 MiB one transaction may read.
    const big = 'x'.repeat(900_000);
    for (let i = 0; i < 20; i += 5)
      await insertRows(
        store,
        'big',
        Array.from({ length: 5 }, (_, j) => ({ i: i + j, big })),
      );
    const { sizes, values } = await collect(tablePages(store, 'big'));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Math.max(...sizes)).toBeLessThan(20);
    expect(await collect(tablePages(store, 'nothing'))).toEqual({
      sizes: [],
      values: [],
    });
  });
});

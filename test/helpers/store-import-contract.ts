/**
 * The part of the store contract a snapshot import relies on (see
 * store-contract.ts, which runs it for every engine): documents restored
 * with their own `_id` and `_creationTime`, tables created with the numbers
 * their ids carry, and empty tables moved to other numbers.
 */
import { describe, expect, test } from 'vitest';
import {
  decodeDocumentId,
  encodeDocumentId,
  newInternalId,
} from '../../src/store/document-id.ts';
import type { Document, DocumentStore } from '../../src/store/store.ts';
import { range } from './index-range.ts';

/** A store over empty data, that can be reopened (store-contract.ts hands its own). */
export interface ImportContractOptions {
  fresh(): Promise<
    { store: DocumentStore; reopen(): Promise<DocumentStore> } & AsyncDisposable
  >;
}

async function commit(
  store: DocumentStore,
  work: (tx: Awaited<ReturnType<DocumentStore['begin']>>) => Promise<void>,
) {
  const tx = await store.begin();
  await work(tx);
  const result = await tx.commit();
  if (!result.success) throw new Error('a setup commit conflicted');
  return result.ts;
}

async function documentsOf(store: DocumentStore, table: string) {
  return (await (await store.begin()).scan(range(table, 'by_creation_time')))
    .documents;
}

function tableNumberOf(id: string): number {
  return decodeDocumentId(id)?.tableNumber ?? 0;
}

export function describeImportContract(
  name: string,
  options: ImportContractOptions,
): void {
  describe(`${name}: documents restored with their ids`, () => {
    test('a document keeps its _id and _creationTime, in a table made with the number its id carries', async () => {
      await using source = await options.fresh();
      await using target = await options.fresh();
      // The source has a table first, so its authors are not table 10001.
      await commit(source.store, async (tx) => {
        await tx.insert('padding', { n: 0 });
      });
      await commit(source.store, async (tx) => {
        await tx.insert('authors', { name: 'Ada', born: 1815n });
        await tx.insert('authors', { name: 'Grace', tags: ['navy'] });
      });
      const exported = await documentsOf(source.store, 'authors');

      await commit(target.store, async (tx) => {
        for (const document of [...exported].reverse())
          await tx.insertWithId('authors', document);
      });
      const restored = await documentsOf(target.store, 'authors');
      expect(restored).toEqual(exported);
      const tx = await target.store.begin();
      expect(tx.tableNumber('authors')).toBe(
        tableNumberOf(exported[0]?._id ?? ''),
      );
      expect(await tx.get(exported[1]?._id ?? '')).toEqual(exported[1]);

      // New inserts into the restored table get ids of its number.
      await commit(target.store, async (later) => {
        const id = await later.insert('authors', { name: 'Linus' });
        expect(tableNumberOf(id)).toBe(tx.tableNumber('authors'));
      });
    });

    test('an id of another table, an id that exists, and a number another table has are refused', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      let a = '';
      let b = '';
      await commit(store, async (tx) => {
        a = await tx.insert('a', { v: 1 });
        b = await tx.insert('b', { v: 2 });
      });
      const [first] = await documentsOf(store, 'b');
      const tx = await store.begin();
      await expect(
        tx.insertWithId('a', { ...(first as Document), _id: b }),
      ).rejects.toThrow(/different format/);
      await expect(tx.insertWithId('b', first as Document)).rejects.toThrow(
        /exists/,
      );
      const stranger = encodeDocumentId(
        tableNumberOf(a),
        newInternalId(Date.now()),
      );
      await expect(
        tx.insertWithId('c', { _id: stranger, _creationTime: 1, v: 3 }),
      ).rejects.toThrow(/table "a" has it/);
    });
  });

  describe(`${name}: renumbering empty tables`, () => {
    test('two empty tables swap numbers and keep their indexes; what began before cannot commit or be begun again', async () => {
      await using handle = await options.fresh();
      let store = handle.store;
      await store.defineIndexes('x', [{ name: 'by_n', fields: ['n'] }]);
      await store.defineIndexes('y', []);
      let gone = '';
      await commit(store, async (tx) => {
        gone = await tx.insert('y', { n: 1 });
      });
      await commit(store, async (tx) => {
        await tx.delete(gone);
      });
      const before = await store.latestTs();
      const early = await store.begin();
      const numbers = {
        x: early.tableNumber('x') ?? 0,
        y: early.tableNumber('y') ?? 0,
      };
      await early.insert('x', { n: 5 });

      expect(
        await store.renumberTables([
          { name: 'x', number: numbers.y },
          { name: 'y', number: numbers.x },
        ]),
      ).toEqual({ success: true });
      expect(await early.commit()).toMatchObject({
        success: false,
        conflict: { table: '_tables' },
      });
      await expect(store.begin({ ts: before - 1n })).rejects.toThrow(
        /before the retention floor/,
      );

      // The table that had y's number holds only what is written to it now.
      const restored = encodeDocumentId(numbers.y, newInternalId(Date.now()));
      await commit(store, async (tx) => {
        expect(tx.tableNumber('x')).toBe(numbers.y);
        await tx.insertWithId('x', { _id: restored, _creationTime: 10, n: 7 });
        await tx.insert('y', { n: 8 });
      });
      const check = async (reader: DocumentStore) => {
        const tx = await reader.begin();
        const byN = await tx.scan(range('x', 'by_n', { eq: [7] }));
        expect(byN.documents.map((d) => d._id)).toEqual([restored]);
        expect(tx.describeIndex('x', 'by_n')?.ready).toBe(true);
        const ys = (await tx.scan(range('y', 'by_id'))).documents;
        expect(ys.map((d) => d['n'])).toEqual([8]);
        expect(tableNumberOf(ys[0]?._id ?? '')).toBe(numbers.x);
        expect(await tx.get(gone)).toBeNull();
      };
      await check(store);
      store = await handle.reopen();
      await check(store);
    });

    test('a table that is not empty, or a number another table keeps, is refused as a value', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await commit(store, async (tx) => {
        await tx.insert('full', { v: 1 });
        await tx.insert('other', { v: 2 });
      });
      const tx = await store.begin();
      const full = tx.tableNumber('full') ?? 0;
      const other = tx.tableNumber('other') ?? 0;
      const notEmpty = await store.renumberTables([
        { name: 'full', number: other + 10 },
      ]);
      expect(notEmpty.success || notEmpty.error).toMatch(/not empty/);
      await commit(store, async (write) => {
        for (const document of await documentsOf(store, 'other'))
          await write.delete(document._id);
      });
      const taken = await store.renumberTables([
        { name: 'other', number: full },
      ]);
      expect(taken.success || taken.error).toMatch(/table "full" has it/);
      expect((await store.begin()).tableNumber('other')).toBe(other);
    });
  });
}

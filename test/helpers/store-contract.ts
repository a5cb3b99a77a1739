/**
 * The store contract as tests: every engine runs this one suite (SQLite in
 * src/store/sqlite.test.ts; PostgreSQL next to its engine). Each test tells
 * a short story of transactions and checks what a Convex app would see.
 */
import { describe, expect, test } from 'vitest';
import type {
  DocumentStore,
  IndexRange,
  Transaction,
} from '../../src/store/store.ts';
import { range } from './index-range.ts';
import { describeImportContract } from './store-import-contract.ts';

export interface StoreHandle extends AsyncDisposable {
  store: DocumentStore;
  /** Closes the store and opens the same data again. */
  reopen(): Promise<DocumentStore>;
}

export interface StoreContractOptions {
  /** A store over empty data. */
  fresh(): Promise<StoreHandle>;
}

async function insertAll(
  store: DocumentStore,
  table: string,
  rows: Record<string, unknown>[],
) {
  const tx = await store.begin();
  const ids: string[] = [];
  for (const row of rows) ids.push(await tx.insert(table, row as never));
  const result = await tx.commit();
  if (!result.success) throw new Error('setup commit conflicted');
  return ids;
}

async function committed(tx: Transaction) {
  const result = await tx.commit();
  expect(
    result.success,
    JSON.stringify(result, (_, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v,
    ),
  ).toBe(true);
  if (!result.success) throw new Error('unreachable');
  return result;
}

async function conflicted(tx: Transaction) {
  const result = await tx.commit();
  expect(result.success).toBe(false);
  if (result.success) throw new Error('unreachable');
  return result.conflict;
}

export function describeStoreContract(
  name: string,
  options: StoreContractOptions,
): void {
  describeImportContract(name, options);
  describe(`${name}: documents`, () => {
    test('an insert is visible to its own transaction, then to later ones', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const tx = await store.begin();
      const id = await tx.insert('messages', { body: 'hello', n: 1n });
      expect(id).toHaveLength(32);
      expect(await tx.get(id)).toMatchObject({ _id: id, body: 'hello', n: 1n });
      const { ts } = await committed(tx);
      expect(ts).toBeGreaterThan(0n);
      expect(await store.latestTs()).toBe(ts);

      const later = await store.begin();
      const doc = await later.get(id);
      expect(doc).toMatchObject({ _id: id, body: 'hello', n: 1n });
      expect(typeof doc?._creationTime).toBe('number');
    });

    test('patch merges shallowly and undefined removes a field; replace keeps system fields', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [id = ''] = await insertAll(store, 'things', [
        { a: 1, b: { deep: 1 }, c: 'x' },
      ]);
      const tx = await store.begin();
      const before = await tx.get(id);
      await tx.patch(id, { b: { other: 2 }, c: undefined, d: true });
      expect(await tx.get(id)).toEqual({
        ...before,
        c: undefined,
        b: { other: 2 },
        d: true,
      } as never);
      expect(Object.keys((await tx.get(id)) ?? {})).not.toContain('c');
      await tx.replace(id, { only: 'this' });
      expect(await tx.get(id)).toEqual({
        _id: id,
        _creationTime: before?._creationTime,
        only: 'this',
      });
      await committed(tx);
      expect(await (await store.begin()).get(id)).toEqual({
        _id: id,
        _creationTime: before?._creationTime,
        only: 'this',
      });
    });

    test('delete hides the document from get and from scans', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [id = ''] = await insertAll(store, 'things', [{ a: 1 }]);
      const tx = await store.begin();
      await tx.delete(id);
      expect(await tx.get(id)).toBeNull();
      expect(
        (await tx.scan(range('things', 'by_creation_time'))).documents,
      ).toEqual([]);
      await committed(tx);
      const later = await store.begin();
      expect(await later.get(id)).toBeNull();
      await expect(later.delete(id)).rejects.toThrow(/does not exist/);
    });

    test('rolling back to a savepoint undoes the writes since, and keeps the reads', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [kept = ''] = await insertAll(store, 'things', [{ n: 1 }]);
      const tx = await store.begin();
      await tx.patch(kept, { n: 2 });
      const mark = tx.savepoint();
      await tx.patch(kept, { n: 3 });
      const dropped = await tx.insert('things', { n: 4 });
      const created = await tx.insert('newTable', { n: 5 });
      tx.recordMutation('session', 1, '"undone"');
      mark.rollback();

      expect(await tx.get(kept)).toMatchObject({ n: 2 });
      expect(await tx.get(dropped)).toBeNull();
      expect(await tx.get(created)).toBeNull();
      expect(tx.tableNumber('newTable')).toBeNull();
      await committed(tx);
      expect(await store.mutationRecord('session', 1)).toBeNull();
      const later = await store.begin();
      expect(await later.get(kept)).toMatchObject({ n: 2 });
      expect(
        (await later.scan(range('things', 'by_creation_time'))).documents,
      ).toHaveLength(1);
    });

    test('a read made before a rollback still conflicts with a concurrent write', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [id = ''] = await insertAll(store, 'things', [{ n: 1 }]);
      const tx = await store.begin();
      const mark = tx.savepoint();
      await tx.get(id);
      mark.rollback();
      await tx.insert('other', {});
      const writer = await store.begin();
      await writer.patch(id, { n: 2 });
      await committed(writer);
      await conflicted(tx);
    });

    test('commit listeners hear each commit with what it wrote, until they unsubscribe', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const heard: { ts: bigint; tables: string[] }[] = [];
      const unsubscribe = store.onCommit((entry) =>
        heard.push({
          ts: entry.ts,
          tables: entry.writes.map((write) => write.table),
        }),
      );
      await insertAll(store, 'things', [{ n: 1 }]);
      await insertAll(store, 'things', [{ n: 2 }]);
      unsubscribe();
      await insertAll(store, 'things', [{ n: 3 }]);
      expect(heard).toHaveLength(2);
      expect(heard[0]?.tables).toContain('things');
      expect(heard[1]?.ts).toBeGreaterThan(heard[0]?.ts ?? 0n);
    });

    test('system tables take their fixed numbers and never collide with user tables', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const tx = await store.begin();
      const job = await tx.insert('_scheduled_functions', { name: 'a:b' });
      const user = await tx.insert('jobs', { name: 'a:b' });
      expect(tx.tableNumber('_scheduled_functions')).toBe(513);
      expect(tx.tableNumber('jobs')).toBe(10_001);
      await expect(tx.insert('_private', {})).rejects.toThrow(/invalid/);
      await committed(tx);
      const later = await handle.reopen();
      const reader = await later.begin();
      expect(await reader.get(job)).toMatchObject({ name: 'a:b' });
      expect(await reader.get(user)).toMatchObject({ name: 'a:b' });
      expect(reader.tableNumber('_storage')).toBeNull();
    });

    test('creation times increase within a transaction and ids name their table', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const ids = await insertAll(store, 'a', [{}, {}, {}]);
      const [other = ''] = await insertAll(store, 'b', [{}]);
      const tx = await store.begin();
      const docs = await Promise.all(ids.map((id) => tx.get(id)));
      const times = docs.map((d) => d?._creationTime ?? 0);
      expect(times[1]).toBeGreaterThan(times[0] ?? Infinity);
      expect(times[2]).toBeGreaterThan(times[1] ?? Infinity);
      expect(await tx.get(other)).not.toBeNull();
      expect(await tx.get('not-an-id')).toBeNull();
    });
  });

  describe(`${name}: limits`, () => {
    test('writes Convex would refuse are refused, naming the limit', async () => {
      await using handle = await options.fresh();
      const tx = await handle.store.begin();
      await expect(tx.insert('t', { _hidden: 1 })).rejects.toThrow(
        /starts with an underscore/,
      );
      await expect(
        tx.insert('t', { big: 'x'.repeat(1024 * 1024) }),
      ).rejects.toThrow(/Value is too large/);
      await expect(tx.insert('bad name', {})).rejects.toThrow(
        /Table name "bad name" is invalid/,
      );
      const id = await tx.insert('t', { ok: true });
      await expect(tx.patch(id, { _hidden: 1 })).rejects.toThrow(
        /starts with an underscore/,
      );
      expect(await tx.get(id)).toMatchObject({ ok: true });
    });
  });

  describe(`${name}: creation time`, () => {
    test('creation times increase across one-insert transactions committed back to back', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const ids: string[] = [];
      for (let i = 0; i < 200; i++)
        ids.push(...(await insertAll(store, 'seq', [{ i }])));
      const docs = (
        await (
          await store.begin()
        ).scan(range('seq', 'by_creation_time', { limit: 1000 }))
      ).documents;
      // by_creation_time order equals insertion order only if no two creation times tie.
      expect(docs.map((d) => d['i'])).toEqual(ids.map((_, i) => i));
    });
  });

  describe(`${name}: index scans`, () => {
    test('by_creation_time scans in both orders, with limits and a cursor', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await insertAll(store, 'items', [
        { i: 0 },
        { i: 1 },
        { i: 2 },
        { i: 3 },
        { i: 4 },
      ]);
      const tx = await store.begin();
      const all = await tx.scan(range('items', 'by_creation_time'));
      expect(all.documents.map((d) => d['i'])).toEqual([0, 1, 2, 3, 4]);
      expect(all.exhausted).toBe(true);

      const first = await tx.scan(
        range('items', 'by_creation_time', { limit: 2 }),
      );
      expect(first.documents.map((d) => d['i'])).toEqual([0, 1]);
      expect(first.exhausted).toBe(false);
      const next = await tx.scan(
        range('items', 'by_creation_time', { limit: 2, after: first.lastKey }),
      );
      expect(next.documents.map((d) => d['i'])).toEqual([2, 3]);

      const desc = await tx.scan(
        range('items', 'by_creation_time', { order: 'desc', limit: 3 }),
      );
      expect(desc.documents.map((d) => d['i'])).toEqual([4, 3, 2]);
      const rest = await tx.scan(
        range('items', 'by_creation_time', {
          order: 'desc',
          after: desc.lastKey,
        }),
      );
      expect(rest.documents.map((d) => d['i'])).toEqual([1, 0]);
    });

    test('a schema index orders by its fields, missing fields first, and serves eq and bounds', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await store.defineIndexes('people', [
        { name: 'by_team_age', fields: ['team', 'age'] },
      ]);
      await insertAll(store, 'people', [
        { name: 'c', team: 'red', age: 30 },
        { name: 'a', team: 'red', age: 20 },
        { name: 'x', team: 'blue', age: 50 },
        { name: 'nobody' },
        { name: 'b', team: 'red', age: 25 },
        { name: 'd', team: 'red' },
      ]);
      const tx = await store.begin();
      const names = async (extra: Partial<IndexRange>) =>
        (await tx.scan(range('people', 'by_team_age', extra))).documents.map(
          (d) => d['name'],
        );

      expect(await names({})).toEqual(['nobody', 'x', 'd', 'a', 'b', 'c']);
      expect(await names({ eq: ['red'] })).toEqual(['d', 'a', 'b', 'c']);
      expect(
        await names({ eq: ['red'], lower: { value: 20, inclusive: false } }),
      ).toEqual(['b', 'c']);
      expect(
        await names({
          eq: ['red'],
          lower: { value: 20, inclusive: true },
          upper: { value: 25, inclusive: true },
        }),
      ).toEqual(['a', 'b']);
      expect(await names({ eq: ['red', undefined] })).toEqual(['d']);
      expect(await names({ eq: ['green'] })).toEqual([]);
    });

    test('a new schema index is backfilled from existing documents', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await insertAll(store, 'posts', [{ tag: 'b' }, { tag: 'a' }]);
      await store.defineIndexes('posts', [{ name: 'by_tag', fields: ['tag'] }]);
      await insertAll(store, 'posts', [{ tag: 'c' }]);
      const tx = await store.begin();
      const docs = (await tx.scan(range('posts', 'by_tag'))).documents;
      expect(docs.map((d) => d['tag'])).toEqual(['a', 'b', 'c']);
    });

    test('index definitions follow Convex rules', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await expect(
        store.defineIndexes('t', [{ name: 'by_id', fields: ['a'] }]),
      ).rejects.toThrow(/IndexNameReserved/);
      await expect(
        store.defineIndexes('t', [{ name: 'x', fields: ['_id'] }]),
      ).rejects.toThrow(/IndexFieldsContainId/);
      await expect(
        store.defineIndexes('t', [{ name: 'x', fields: ['_creationTime'] }]),
      ).rejects.toThrow(/IndexFieldsContainCreationTime/);
      await expect(
        store.defineIndexes('t', [
          { name: 'x', fields: Array.from({ length: 17 }, (_, i) => `f${i}`) },
        ]),
      ).rejects.toThrow(/TooManyFields/);
      const many = Array.from({ length: 65 }, (_, i) => ({
        name: `i${i}`,
        fields: ['a'],
      }));
      await expect(store.defineIndexes('t', many)).rejects.toThrow(
        /TooManyIndexes/,
      );
    });

    test('scans see the transaction own writes in index order', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await store.defineIndexes('n', [{ name: 'by_v', fields: ['v'] }]);
      const [two = ''] = await insertAll(store, 'n', [{ v: 2 }, { v: 4 }]);
      const tx = await store.begin();
      await tx.insert('n', { v: 3 });
      await tx.patch(two, { v: 5 });
      const values = (await tx.scan(range('n', 'by_v'))).documents.map(
        (d) => d['v'],
      );
      expect(values).toEqual([3, 4, 5]);
      expect(
        (await tx.scan(range('n', 'by_v', { limit: 1 }))).documents.map(
          (d) => d['v'],
        ),
      ).toEqual([3]);
    });
  });

  describe(`${name}: isolation`, () => {
    test('a snapshot never sees a later commit', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [id = ''] = await insertAll(store, 'k', [{ v: 1 }]);
      const reader = await store.begin();
      const writer = await store.begin();
      await writer.patch(id, { v: 2 });
      await writer.insert('k', { v: 3 });
      await committed(writer);
      expect((await reader.get(id))?.['v']).toBe(1);
      expect(
        (await reader.scan(range('k', 'by_creation_time'))).documents.map(
          (d) => d['v'],
        ),
      ).toEqual([1]);
      const fresh = await store.begin();
      expect(
        (await fresh.scan(range('k', 'by_creation_time'))).documents.map(
          (d) => d['v'],
        ),
      ).toEqual([2, 3]);
    });

    test('lost update is impossible: the second read-modify-write conflicts', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [id = ''] = await insertAll(store, 'counter', [{ n: 0 }]);
      const a = await store.begin();
      const b = await store.begin();
      const va = (await a.get(id))?.['n'] as number;
      const vb = (await b.get(id))?.['n'] as number;
      await a.patch(id, { n: va + 1 });
      await b.patch(id, { n: vb + 1 });
      const { ts } = await committed(a);
      const conflict = await conflicted(b);
      expect(conflict).toMatchObject({
        ts,
        table: 'counter',
        id,
        index: 'by_id',
      });
      expect((await (await store.begin()).get(id))?.['n']).toBe(1);
    });

    test('commits requested together are checked against each other: one read-modify-write wins', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [id = ''] = await insertAll(store, 'counter', [{ n: 0 }]);
      // Eight read-modify-writes of one counter, all from the same snapshot,
      // asking to commit in the same turn (as concurrent mutations do).
      const writers = await Promise.all(
        Array.from({ length: 8 }, () => store.begin()),
      );
      for (const tx of writers) {
        const n = (await tx.get(id))?.['n'] as number;
        await tx.patch(id, { n: n + 1 });
      }
      const outcomes = await Promise.all(writers.map((tx) => tx.commit()));
      expect(outcomes.filter((outcome) => outcome.success)).toHaveLength(1);
      expect((await (await store.begin()).get(id))?.['n']).toBe(1);

      // Unrelated inserts requested together all commit, each at its own time.
      await insertAll(store, 'notes', [{ i: -1 }]);
      const inserters = await Promise.all(
        Array.from({ length: 8 }, () => store.begin()),
      );
      for (const [i, tx] of inserters.entries())
        await tx.insert('notes', { i });
      const inserted = await Promise.all(inserters.map((tx) => tx.commit()));
      const times = inserted.map((outcome) =>
        outcome.success ? outcome.ts : -1n,
      );
      expect(times.every((ts) => ts > 0n)).toBe(true);
      expect(new Set(times).size).toBe(8);
    });

    test('the same mutation recorded twice in one batch commits once', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const attempts = await Promise.all([store.begin(), store.begin()]);
      for (const tx of attempts) {
        await tx.insert('orders', { item: 'tea' });
        tx.recordMutation('session-1', 1, '"ok"');
      }
      const outcomes = await Promise.all(attempts.map((tx) => tx.commit()));
      expect(outcomes.map((outcome) => outcome.success).sort()).toEqual([
        false,
        true,
      ]);
      expect(
        (await (await store.begin()).scan(range('orders', 'by_creation_time')))
          .documents,
      ).toHaveLength(1);
    });

    test('write skew is impossible: of two crossing read-then-write transactions one conflicts', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [x = '', y = ''] = await insertAll(store, 'oncall', [
        { on: true },
        { on: true },
      ]);
      const a = await store.begin();
      const b = await store.begin();
      // Each checks the other doctor is on call, then goes off call.
      expect((await a.get(y))?.['on']).toBe(true);
      expect((await b.get(x))?.['on']).toBe(true);
      await a.patch(x, { on: false });
      await b.patch(y, { on: false });
      await committed(a);
      await conflicted(b);
    });

    test('a range read conflicts with an insert into the range, not with one outside it', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await store.defineIndexes('msgs', [
        { name: 'by_author', fields: ['author'] },
      ]);
      await insertAll(store, 'msgs', [{ author: 'ada' }]);

      const outside = await store.begin();
      await outside.scan(range('msgs', 'by_author', { eq: ['ada'] }));
      await outside.insert('log', { read: 'ada' });
      await insertAll(store, 'msgs', [{ author: 'bob' }]);
      await committed(outside);

      const inside = await store.begin();
      await inside.scan(range('msgs', 'by_author', { eq: ['ada'] }));
      await inside.insert('log', { read: 'ada' });
      await insertAll(store, 'msgs', [{ author: 'ada' }]);
      expect(await conflicted(inside)).toMatchObject({
        table: 'msgs',
        index: 'by_author',
      });
    });

    test('a partial scan conflicts only with writes up to its last key', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      await store.defineIndexes('q', [{ name: 'by_p', fields: ['p'] }]);
      await insertAll(store, 'q', [{ p: 10 }, { p: 20 }]);

      const after = await store.begin();
      await after.scan(range('q', 'by_p', { limit: 1 }));
      await after.insert('other', {});
      await insertAll(store, 'q', [{ p: 15 }]);
      await committed(after);

      const before = await store.begin();
      await before.scan(range('q', 'by_p', { limit: 1 }));
      await before.insert('other', {});
      await insertAll(store, 'q', [{ p: 5 }]);
      await conflicted(before);
    });

    test('creating a table conflicts with a transaction that saw it missing', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const tx = await store.begin();
      expect(
        (await tx.scan(range('later', 'by_creation_time'))).documents,
      ).toEqual([]);
      await tx.insert('elsewhere', {});
      await insertAll(store, 'later', [{}]);
      expect(await conflicted(tx)).toMatchObject({
        table: 'later',
        index: '_tables',
      });
    });
  });

  describe(`${name}: commit log, timestamps, mutation records`, () => {
    test('the commit log carries each write with its old and new keys, in order', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const start = await store.latestTs();
      const [id = ''] = await insertAll(store, 'log', [{ v: 1 }]);
      const tx = await store.begin();
      await tx.patch(id, { v: 2 });
      const { ts } = await committed(tx);

      const commits = await store.readCommits(start, 10);
      expect(commits.map((c) => c.ts)).toEqual([commits[0]?.ts, ts]);
      const patch = commits[1]?.writes.find((w) => w.id === id);
      expect(patch?.table).toBe('log');
      expect(patch?.keys.map((k) => [k.old !== null, k.new !== null])).toEqual([
        [true, true],
        [true, true],
      ]);
      expect(await store.readCommits(ts, 10)).toEqual([]);
    });

    test('commit timestamps strictly increase and survive a reopen', async () => {
      await using handle = await options.fresh();
      let store = handle.store;
      const seen: bigint[] = [];
      for (let i = 0; i < 20; i++) {
        const tx = await store.begin();
        await tx.insert('ticks', { i });
        seen.push((await committed(tx)).ts);
      }
      for (let i = 1; i < seen.length; i++)
        expect(seen[i]).toBeGreaterThan(seen[i - 1] ?? 0n);
      store = await handle.reopen();
      expect(await store.latestTs()).toBe(seen.at(-1));
      const tx = await store.begin();
      await tx.insert('ticks', { i: 20 });
      expect((await committed(tx)).ts).toBeGreaterThan(seen.at(-1) ?? 0n);
      expect(
        (await (await store.begin()).scan(range('ticks', 'by_creation_time')))
          .documents,
      ).toHaveLength(21);
    });

    test('pruning forgets old versions but never what a later snapshot sees', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const [kept = '', gone = ''] = await insertAll(store, 'versions', [
        { v: 0 },
        { v: 0 },
      ]);
      const old = await store.latestTs();
      for (let v = 1; v <= 3; v++) {
        const tx = await store.begin();
        await tx.patch(kept, { v });
        if (v === 2) await tx.delete(gone);
        await committed(tx);
      }
      const cutoff = await store.latestTs();
      await store.prune(cutoff);

      await expect(store.begin({ ts: old })).rejects.toThrow(
        /before the retention floor/,
      );
      const tx = await store.begin({ ts: cutoff });
      expect((await tx.get(kept))?.['v']).toBe(3);
      expect(await tx.get(gone)).toBeNull();
      const docs = (await tx.scan(range('versions', 'by_creation_time')))
        .documents;
      expect(docs.map((d) => d['v'])).toEqual([3]);
      expect(await store.readCommits(0n, 100)).toHaveLength(1);

      // Pruning survives a reopen, and later commits go on as before.
      const reopened = await handle.reopen();
      await expect(reopened.begin({ ts: old })).rejects.toThrow(
        /before the retention floor/,
      );
      const later = await reopened.begin();
      await later.patch(kept, { v: 4 });
      await committed(later);
      expect((await (await reopened.begin()).get(kept))?.['v']).toBe(4);
    });

    test('a mutation result is recorded with its commit, once per session and request', async () => {
      await using handle = await options.fresh();
      const { store } = handle;
      const tx = await store.begin();
      await tx.insert('orders', { item: 'tea' });
      tx.recordMutation('session-1', 7, '"ok"');
      const { ts } = await committed(tx);
      expect(await store.mutationRecord('session-1', 7)).toEqual({
        sessionId: 'session-1',
        requestId: 7,
        result: '"ok"',
        ts,
      });
      expect(await store.mutationRecord('session-1', 8)).toBeNull();

      const again = await store.begin();
      await again.insert('orders', { item: 'tea' });
      again.recordMutation('session-1', 7, '"ok"');
      expect(await conflicted(again)).toMatchObject({
        table: '_session_requests',
      });
      expect(
        (await (await store.begin()).scan(range('orders', 'by_creation_time')))
          .documents,
      ).toHaveLength(1);
    });
  });
}

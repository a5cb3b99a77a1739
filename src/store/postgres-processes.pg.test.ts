/**
 * Two stores on one PostgreSQL schema, as two processes of a deployment
 * would open it: each hears the other's commits, in order, exactly once,
 * sees their documents in its snapshots, and knows the tables the other
 * created. DATABASE_URL names the server; unreachable means failing.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import { expect, test } from 'vitest';
import { openPostgresStore } from './postgres.ts';
import type { CommitEntry, DocumentStore, Timestamp } from './store.ts';

const url =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;

async function twoProcesses() {
  const schema = `converge_test_${randomBytes(6).toString('hex')}`;
  const a = await openPostgresStore(url, { schema });
  const b = await openPostgresStore(url, { schema });
  return {
    a,
    b,
    async [Symbol.asyncDispose]() {
      await a.close();
      await b.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** Every commit a store's listeners hear, and a way to wait for one. */
function heard(store: DocumentStore) {
  const entries: CommitEntry[] = [];
  /** The timestamps of the commits the store called its own. */
  const own = new Set<Timestamp>();
  const waiters = new Set<() => void>();
  store.onCommit((entry, isOwn) => {
    entries.push(entry);
    if (isOwn) own.add(entry.ts);
    for (const waiter of waiters) waiter();
  });
  return {
    entries,
    own,
    until(ts: Timestamp): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`commit ${ts} was never heard`)),
          5000,
        );
        const check = (): void => {
          if (entries.some((e) => e.ts >= ts)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** An insert, tried again on a conflict as the runtime tries a mutation again. */
async function insert(
  store: DocumentStore,
  table: string,
  fields: Record<string, string>,
): Promise<{ id: string; ts: Timestamp }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const tx = await store.begin();
    const id = await tx.insert(table, fields);
    const committed = await tx.commit();
    if (committed.success) return { id, ts: committed.ts };
  }
  throw new Error(`${table}: conflicted five times`);
}

test('a commit made through one process reaches the other: its listeners, its snapshots and its catalog', async () => {
  await using p = await twoProcesses();
  const onB = heard(p.b);
  // The table is new to both: A creates it with the first insert.
  const written = await insert(p.a, 'messages', { body: 'from a' });
  await onB.until(written.ts);
  expect(await p.b.latestTs()).toBeGreaterThanOrEqual(written.ts);
  const tx = await p.b.begin();
  expect(tx.tableNumber('messages')).not.toBeNull();
  expect(await tx.get(written.id)).toMatchObject({ body: 'from a' });
  const { documents } = await tx.scan({
    table: 'messages',
    index: 'by_creation_time',
    eq: [],
    order: 'asc',
    limit: 10,
  });
  expect(documents.map((d) => d['body'])).toEqual(['from a']);
});

test('commits from both processes are heard by each, every one once and in timestamp order', async () => {
  await using p = await twoProcesses();
  const onA = heard(p.a);
  const onB = heard(p.b);
  // Both know the table before they write to it side by side.
  const first = await insert(p.a, 'log', { by: 'a' });
  await onB.until(first.ts);
  const writes = await Promise.all([
    ...Array.from({ length: 10 }, (_, i) =>
      insert(p.a, 'log', { by: `a${i}` }),
    ),
    ...Array.from({ length: 10 }, (_, i) =>
      insert(p.b, 'log', { by: `b${i}` }),
    ),
  ]);
  const last = writes.reduce((max, w) => (w.ts > max ? w.ts : max), 0n);
  await onA.until(last);
  await onB.until(last);
  for (const { entries } of [onA, onB]) {
    const stamps = entries.map((e) => e.ts);
    expect(stamps).toEqual([...stamps].sort((x, y) => (x < y ? -1 : 1)));
    expect(new Set(stamps).size).toBe(stamps.length);
    for (const w of writes) expect(stamps).toContain(w.ts);
  }
  // Each called its own commits its own, and only those: the first ten
  // writes went through A, the other ten through B.
  const stamps = (from: number, to: number) =>
    new Set(writes.slice(from, to).map((w) => w.ts));
  const ownOf = (listener: { own: Set<Timestamp> }) =>
    new Set([...listener.own].filter((ts) => stamps(0, 20).has(ts)));
  expect(ownOf(onA)).toEqual(stamps(0, 10));
  expect(ownOf(onB)).toEqual(stamps(10, 20));
  // Each saw the same commits from the first write on.
  const from = (entries: CommitEntry[]) =>
    entries.filter((e) => e.ts >= (writes[0]?.ts ?? 0n)).map((e) => e.ts);
  expect(from(onA.entries)).toEqual(from(onB.entries));
});

test('two processes creating tables at once end with one table per name and one number per table', async () => {
  await using p = await twoProcesses();
  const onA = heard(p.a);
  const onB = heard(p.b);
  // Neither has heard of any of these tables: both create "shared", and
  // each creates one of its own, likely with the number the other picked.
  const written = await Promise.all([
    insert(p.a, 'shared', { by: 'a' }),
    insert(p.b, 'shared', { by: 'b' }),
    insert(p.a, 'only_a', { by: 'a' }),
    insert(p.b, 'only_b', { by: 'b' }),
  ]);
  const last = written.reduce((max, w) => (w.ts > max ? w.ts : max), 0n);
  await onA.until(last);
  await onB.until(last);
  const numbers = async (store: DocumentStore) => {
    const tx = await store.begin();
    return ['shared', 'only_a', 'only_b'].map((t) => tx.tableNumber(t));
  };
  const inA = await numbers(p.a);
  expect(await numbers(p.b)).toEqual(inA);
  expect(new Set(inA).size).toBe(3);
  const tx = await p.b.begin();
  const { documents } = await tx.scan({
    table: 'shared',
    index: 'by_creation_time',
    eq: [],
    order: 'asc',
    limit: 10,
  });
  expect(documents.map((d) => d['by']).sort()).toEqual(['a', 'b']);
});

/** The bodies an index scan of `messages` by author returns, read at the latest snapshot. */
async function byAuthor(store: DocumentStore, author: string) {
  const tx = await store.begin();
  const { documents } = await tx.scan({
    table: 'messages',
    index: 'by_author',
    eq: [author],
    order: 'asc',
    limit: 10,
  });
  return documents.map((d) => d['body']);
}

test('an index defined through one process serves the other, and covers what the other writes after', async () => {
  await using p = await twoProcesses();
  const onA = heard(p.a);
  const onB = heard(p.b);
  const before = await insert(p.a, 'messages', { author: 'ada', body: 'old' });
  await onB.until(before.ts);
  // A pushes a schema with a new index: B hears of it without defining it.
  await p.a.defineIndexes('messages', [
    { name: 'by_author', fields: ['author'] },
  ]);
  await onB.until(await p.a.latestTs());
  const index = (await p.a.begin()).describeIndex('messages', 'by_author');
  expect(index).toMatchObject({ ready: true });
  expect((await p.b.begin()).describeIndex('messages', 'by_author')).toEqual(
    index,
  );
  // B writes with the index in its catalog; A's scans find the entries.
  const after = await insert(p.b, 'messages', { author: 'ada', body: 'new' });
  await onA.until(after.ts);
  expect(await byAuthor(p.a, 'ada')).toEqual(['old', 'new']);
  expect(await byAuthor(p.b, 'ada')).toEqual(['old', 'new']);
});

test('a commit made with a catalog older than the stored one is refused, and its retry keeps the new index', async () => {
  await using p = await twoProcesses();
  const onA = heard(p.a);
  await insert(p.a, 'messages', { author: 'bo', body: 'first' });
  // B begins before the index exists and commits after A defined it,
  // possibly before hearing of it: its write must still reach the index.
  const tx = await p.b.begin();
  await p.a.defineIndexes('messages', [
    { name: 'by_author', fields: ['author'] },
  ]);
  await tx.insert('messages', { author: 'bo', body: 'second' });
  const committed = await tx.commit();
  const second = committed.success
    ? committed
    : await insert(p.b, 'messages', { author: 'bo', body: 'second' });
  await onA.until(second.ts);
  expect(await byAuthor(p.a, 'bo')).toEqual(['first', 'second']);
});

test('both processes defining the same indexes at once agree on their ids, and a redefinition commits nothing', async () => {
  await using p = await twoProcesses();
  const onA = heard(p.a);
  const onB = heard(p.b);
  const one = await insert(p.a, 'messages', { author: 'cy', body: 'one' });
  await onB.until(one.ts);
  const definitions = [
    { name: 'by_author', fields: ['author'] },
    { name: 'by_body', fields: ['body'] },
  ];
  await Promise.all([
    p.a.defineIndexes('messages', definitions),
    p.b.defineIndexes('messages', definitions),
  ]);
  const ids = async (store: DocumentStore) => {
    const found = new Map<string, unknown>();
    const tx = await store.begin();
    for (const d of definitions)
      found.set(d.name, tx.describeIndex('messages', d.name));
    return found;
  };
  expect(await ids(p.b)).toEqual(await ids(p.a));
  await onA.until(await p.b.latestTs());
  const latest = await p.a.latestTs();
  await p.b.defineIndexes('messages', definitions);
  expect(await p.a.readCommits(latest, 10)).toEqual([]);
  // Had they chosen different slots, one's writes would miss the other's scans.
  const two = await insert(p.b, 'messages', { author: 'cy', body: 'two' });
  await onA.until(two.ts);
  expect(await byAuthor(p.a, 'cy')).toEqual(['one', 'two']);
  expect(await byAuthor(p.b, 'cy')).toEqual(['one', 'two']);
});

test('catching up hears a commit made through the other process before any notification of it is handled', async () => {
  await using p = await twoProcesses();
  await insert(p.a, 'log', { by: 'first' });
  for (let i = 0; i < 20; i++) {
    const written = await insert(p.a, 'log', { by: `a${i}` });
    // No await between the commit and the catch-up: B's feed has not run.
    expect(await p.b.catchUp()).toBeGreaterThanOrEqual(written.ts);
    const tx = await p.b.begin();
    expect(await tx.get(written.id)).toMatchObject({ by: `a${i}` });
  }
});

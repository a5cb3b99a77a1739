import { expect, test } from 'vitest';
import { GroupCommit, type Settled } from './group-commit.ts';

const ok = (value: string): Settled<string> => ({ ok: true, value });

test('requests made in one turn are flushed together, in order, and each gets its own outcome', async () => {
  const batches: string[][] = [];
  const group = new GroupCommit<string, string>((batch) => {
    batches.push([...batch]);
    return batch.map((request) => ok(`${request} done`));
  });

  const first = [group.submit('a'), group.submit('b'), group.submit('c')];
  expect(batches).toEqual([]);
  expect(await Promise.all(first)).toEqual(['a done', 'b done', 'c done']);

  // A request made after the flush waits for a batch of its own.
  expect(await group.submit('d')).toBe('d done');
  expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
});

test('a request whose own writes failed is rejected alone', async () => {
  const group = new GroupCommit<string, string>((batch) =>
    batch.map((request) =>
      request === 'bad'
        ? { ok: false, error: new Error('constraint failed') }
        : ok(request),
    ),
  );

  const outcomes = await Promise.allSettled([
    group.submit('good'),
    group.submit('bad'),
    group.submit('fine'),
  ]);
  expect(outcomes).toEqual([
    { status: 'fulfilled', value: 'good' },
    { status: 'rejected', reason: new Error('constraint failed') },
    { status: 'fulfilled', value: 'fine' },
  ]);
});

test('when the transaction itself fails, every request of the batch fails with it, and the next batch is unaffected', async () => {
  let failing = true;
  const group = new GroupCommit<string, string>((batch) => {
    if (failing) throw new Error('disk I/O error');
    return batch.map(ok);
  });

  const outcomes = await Promise.allSettled([
    group.submit('a'),
    group.submit('b'),
  ]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual([
    'rejected',
    'rejected',
  ]);

  failing = false;
  expect(await group.submit('c')).toBe('c');
});

test('reruns of transactions that lost a conflict go ahead of first attempts in their batch', async () => {
  const batches: string[][] = [];
  const group = new GroupCommit<string, string>((batch) => {
    batches.push([...batch]);
    return batch.map(ok);
  });

  await Promise.all([
    group.submit('new 1'),
    group.submit('rerun 1', { ahead: true }),
    group.submit('new 2'),
    group.submit('rerun 2', { ahead: true }),
  ]);
  expect(batches).toEqual([['rerun 1', 'rerun 2', 'new 1', 'new 2']]);
});

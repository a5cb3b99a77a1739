import { expect, test } from 'vitest';
import { CommitTail } from './commit-tail.ts';

const commit = (ts: bigint) => ({ ts, writes: [] });

test('CommitTail answers the commits after a snapshot it covers', () => {
  const tail = new CommitTail({ from: 10n, capacity: 100 });
  for (const ts of [11n, 15n, 20n]) tail.push(commit(ts));
  expect(tail.covers(10n)).toBe(true);
  expect(tail.covers(9n)).toBe(false);
  expect(tail.after(10n).map((c) => c.ts)).toEqual([11n, 15n, 20n]);
  expect(tail.after(15n).map((c) => c.ts)).toEqual([20n]);
  expect(tail.after(20n)).toEqual([]);
});

test('CommitTail stops covering what it evicted', () => {
  const tail = new CommitTail({ from: 0n, capacity: 4 });
  for (let ts = 1n; ts <= 5n; ts++) tail.push(commit(ts));
  // Five commits over a capacity of four: the oldest three go, the tail starts after 3.
  expect(tail.covers(2n)).toBe(false);
  expect(tail.covers(3n)).toBe(true);
  expect(tail.after(3n).map((c) => c.ts)).toEqual([4n, 5n]);
});

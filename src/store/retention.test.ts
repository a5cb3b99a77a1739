import { afterEach, expect, test, vi } from 'vitest';
import { startRetention } from './retention.ts';
import type { DocumentStore } from './store.ts';

afterEach(() => {
  vi.useRealTimers();
});

function fakeStore(latest: bigint) {
  const prunes: bigint[] = [];
  const store = {
    latestTs: () => Promise.resolve(latest),
    prune: (cutoff: bigint) => {
      prunes.push(cutoff);
      return Promise.resolve();
    },
  } as unknown as DocumentStore;
  return { store, prunes };
}

test('startRetention() prunes at latest minus the window, on its interval, until stopped', async () => {
  vi.useFakeTimers();
  const latest = 1_763_900_000_000_000_000n;
  const { store, prunes } = fakeStore(latest);
  const stop = startRetention(store, { windowMs: 1000, everyMs: 50 });

  await vi.advanceTimersByTimeAsync(120);
  expect(prunes).toEqual([latest - 1_000_000_000n, latest - 1_000_000_000n]);

  stop();
  await vi.advanceTimersByTimeAsync(500);
  expect(prunes).toHaveLength(2);
});

test('startRetention() reports a failed prune and keeps going', async () => {
  vi.useFakeTimers();
  const errors: unknown[] = [];
  const store = {
    latestTs: () => Promise.resolve(10n ** 18n),
    prune: () => Promise.reject(new Error('disk full')),
  } as unknown as DocumentStore;
  const stop = startRetention(store, {
    everyMs: 10,
    onError: (e) => errors.push(e),
  });
  await vi.advanceTimersByTimeAsync(25);
  stop();
  expect(errors.map(String)).toEqual(['Error: disk full', 'Error: disk full']);
});

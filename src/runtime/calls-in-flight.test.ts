import { expect, test } from 'vitest';
import { CallsInFlight } from './calls-in-flight.ts';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('CallsInFlight counts a call until it settles, and hands back the same promise', async () => {
  const calls = new CallsInFlight();
  const call = deferred<string>();
  const tracked = calls.track(call.promise);
  expect(tracked).toBe(call.promise);
  expect(calls.size).toBe(1);

  call.resolve('done');
  expect(await tracked).toBe('done');
  expect(calls.size).toBe(0);
});

test('CallsInFlight.settled() waits for every running call, a failing one too', async () => {
  const calls = new CallsInFlight();
  const mutation = deferred<string>();
  const action = deferred<string>();
  calls.track(mutation.promise).catch(() => undefined);
  calls.track(action.promise).catch(() => undefined);
  let settled = false;
  const waiting = calls.settled().then(() => (settled = true));

  mutation.resolve('committed');
  await mutation.promise;
  expect(settled).toBe(false);

  action.reject(new Error('the action failed'));
  await waiting;
  expect(settled).toBe(true);
  expect(calls.size).toBe(0);
});

test('CallsInFlight.settled() does not wait for calls started after it was asked', async () => {
  const calls = new CallsInFlight();
  const first = deferred<void>();
  void calls.track(first.promise);
  const waiting = calls.settled();

  const later = deferred<void>();
  void calls.track(later.promise);
  first.resolve();
  await waiting;
  expect(calls.size).toBe(1);
  later.resolve();
});

test('CallsInFlight.settled() with nothing running resolves at once', async () => {
  await expect(new CallsInFlight().settled()).resolves.toBeUndefined();
});

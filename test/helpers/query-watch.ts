/**
 * A subscription recorded for a test: every value and error `onUpdate`
 * delivers, in order, and a way to wait for the first one that passes a
 * check. It is the test's eye on a query; it asserts nothing itself.
 */
import type { ConvexClient } from 'convex/browser';
import type {
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
} from 'convex/server';

export interface QueryWatch<T> extends Disposable {
  /** Every value delivered so far, oldest first. */
  values: T[];
  /** Every error delivered so far, oldest first. */
  errors: Error[];
  /** The first value, delivered already or later, that passes `check`. */
  next(check?: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  /** All values, once at least `count` have been delivered. */
  delivered(count: number, timeoutMs?: number): Promise<T[]>;
  /** The first error, delivered already or later. */
  nextError(timeoutMs?: number): Promise<Error>;
  unsubscribe(): void;
}

/** Long enough for a reconnect (about 1 s of backoff, twice), short enough to fail fast. */
const DEFAULT_TIMEOUT_MS = 5000;

export function watchQuery<Query extends FunctionReference<'query'>>(
  client: ConvexClient,
  query: Query,
  args: FunctionArgs<Query>,
): QueryWatch<FunctionReturnType<Query>> {
  type T = FunctionReturnType<Query>;
  const values: T[] = [];
  const errors: Error[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  const stop = client.onUpdate(
    query,
    args,
    (value: T) => {
      values.push(value);
      wake();
    },
    (error) => {
      errors.push(error);
      wake();
    },
  );

  // The client throws on a second unsubscribe; a test may unsubscribe before disposal does.
  let subscribed = true;
  const unsubscribe = (): void => {
    if (subscribed) stop();
    subscribed = false;
  };

  function waitFor<R>(
    find: () => R | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<R> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const found = find();
        if (found === undefined) return false;
        waiters.delete(attempt);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(attempt);
        reject(
          new Error(
            `no ${what} within ${timeoutMs} ms; values: ${JSON.stringify(values, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}, errors: ${errors.map((e) => e.message).join(' | ')}`,
          ),
        );
      }, timeoutMs);
      if (!attempt()) waiters.add(attempt);
    });
  }

  return {
    values,
    errors,
    next: (check = () => true, timeoutMs = DEFAULT_TIMEOUT_MS) =>
      waitFor(() => values.find(check), timeoutMs, 'value passing the check'),
    delivered: (total, timeoutMs = DEFAULT_TIMEOUT_MS) =>
      waitFor(
        () => (values.length >= total ? values : undefined),
        timeoutMs,
        `${total} values`,
      ),
    nextError: (timeoutMs = DEFAULT_TIMEOUT_MS) =>
      waitFor(() => errors[0], timeoutMs, 'error'),
    unsubscribe,
    [Symbol.dispose]: unsubscribe,
  };
}

/**
 * ConflictLanes: mutations that lost a conflict rerun in turn, instead of
 * all at once.
 *
 * Under optimistic concurrency, k mutations racing for one document make
 * one winner and k − 1 losers; if the losers all rerun at once they race
 * again, and a mutation can lose every time until its retries run out
 * (Convex spreads them with a random backoff from 100 ms, which is where its
 * latency under contention goes). Here:
 *
 * - a first rerun takes the lane of the document it lost on: it starts once
 *   the previous rerun on that document has committed or failed, so it
 *   reads the latest version, and loses only to a first attempt or another
 *   process committing the same document meanwhile. Reruns on other
 *   documents are not held up.
 * - a rerun that lost again (its transaction spans two hot documents, and
 *   another lane's rerun took the other) runs `exclusive`: alone, once every
 *   lane has drained and before any lane starts again, so no other rerun can
 *   beat it.
 *
 * On a store with one writer (SQLite) every first run is `exclusive` too
 * (function-runner.ts), so mutations never race there; lanes matter where
 * they do, on PostgreSQL.
 *
 * Exclusive runs go one at a time, but on PostgreSQL only the few double
 * losers need them. A lane is a promise chain, forgotten when its last
 * runner leaves.
 */
export class ConflictLanes {
  readonly #tails = new Map<string, Promise<void>>();
  /** Resolves when the exclusive runs queued so far have finished. */
  #gate: Promise<void> = Promise.resolve();

  /** Runs `work` in lane `key`, after every earlier runner of that lane and every exclusive run queued before it. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const gate = this.#gate;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const { done, leave } = turn();
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    try {
      await Promise.all([gate, previous]);
      return await work();
    } finally {
      leave();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Runs `work` alone: after every lane runner and exclusive run queued before it, before any queued after it. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const before = [this.#gate, ...this.#tails.values()];
    const { done, leave } = turn();
    this.#gate = this.#gate.then(() => done);
    try {
      await Promise.all(before);
      return await work();
    } finally {
      leave();
    }
  }

  /** Lanes with a runner in them or waiting. */
  get size(): number {
    return this.#tails.size;
  }
}

/** A promise and the function that resolves it: one runner's turn. */
function turn(): { done: Promise<void>; leave: () => void } {
  let leave = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    leave = resolve;
  });
  return { done, leave };
}

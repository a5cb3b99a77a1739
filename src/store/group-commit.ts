/**
 * GroupCommit: commit requests that arrive in the same turn of the event
 * loop are written in one database transaction, and each is acknowledged
 * once that transaction is durable.
 *
 * A commit of one small document costs SQLite a WAL append of every page it
 * touched (the document, three or four index entries, the commit log, the
 * mutation record) and, every thousand pages, a checkpoint with an fsync.
 * Concurrent mutations touch the same few pages (the ends of the creation
 * time index, the commit log, the mutation records), so one transaction for
 * all of them writes those pages once. Each request still gets its own
 * timestamp, its own conflict check against every commit before it (those
 * earlier in the same batch included) and its own outcome.
 *
 * Order: requests marked `ahead` (reruns of transactions that lost a
 * conflict) are written before the others of their batch, each group in the
 * order it arrived. A rerun read the latest commits, so ahead of the
 * newcomers it passes its check; behind them it could lose again to a
 * transaction that started after it, for as long as newcomers keep coming.
 *
 * Batching point: `setImmediate`, which runs after every socket read the
 * poll phase had ready. A lone request waits for nothing but the end of the
 * current turn; requests that arrive while a batch is being written wait for
 * the next turn.
 *
 * Not here: what a request writes and how conflicts are found (the engine's
 * `flush`); this module only gathers, hands over and settles.
 */

/** What became of one request of a batch: its result, or the error its own writes threw. */
export type Settled<Result> =
  { ok: true; value: Result } | { ok: false; error: unknown };

/**
 * Writes a batch in one transaction, in order, returning one outcome per
 * request. It throws only when the whole transaction failed (its COMMIT),
 * and then every request of the batch fails with that error.
 */
export type FlushBatch<Request, Result> = (
  batch: readonly Request[],
) => Settled<Result>[];

interface Pending<Request, Result> {
  request: Request;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<Request, Result> {
  readonly #flush: FlushBatch<Request, Result>;
  #queue: Pending<Request, Result>[] = [];
  #ahead: Pending<Request, Result>[] = [];
  #scheduled = false;

  constructor(flush: FlushBatch<Request, Result>) {
    this.#flush = flush;
  }

  submit(request: Request, options: { ahead?: boolean } = {}): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      (options.ahead ? this.#ahead : this.#queue).push({
        request,
        resolve,
        reject,
      });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#drain());
      }
    });
  }

  #drain(): void {
    this.#scheduled = false;
    const batch = [...this.#ahead, ...this.#queue];
    this.#ahead = [];
    this.#queue = [];
    let outcomes: Settled<Result>[];
    try {
      outcomes = this.#flush(batch.map((pending) => pending.request));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (!outcome)
        pending.reject(
          new Error('the batch returned no outcome for a request'),
        );
      else if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}

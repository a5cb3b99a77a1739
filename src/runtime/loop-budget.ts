/**
 * LoopBudget: lets work that runs back to back on promise callbacks give
 * the event loop a turn now and then.
 *
 * Mutations on a store with one writer run one after another, each
 * starting in a promise callback of the one before, so a queue of them
 * never lets the event loop turn: no socket is read, no Transition or ping
 * sent, until the queue is empty (a thousand mutations queued on one socket
 * would hold everything for a third of a second). `yieldIfSpent` waits for
 * the next turn once the current one has gone on for longer than the
 * budget; any turn of the loop, forced or not, starts a new budget.
 *
 * Not here: what the work is, or its order (conflict-lanes.ts).
 */
export class LoopBudget {
  readonly #budgetMs: number;
  /** When the current turn's run of work started; null until work runs in it. */
  #startedAt: number | null = null;

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  /** Resolves at once within the budget, else on the event loop's next turn. */
  async yieldIfSpent(): Promise<void> {
    const now = performance.now();
    if (this.#startedAt === null) {
      this.#mark(now);
      return;
    }
    if (now - this.#startedAt <= this.#budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#mark(performance.now());
  }

  #mark(now: number): void {
    this.#startedAt = now;
    setImmediate(() => {
      this.#startedAt = null;
    });
  }
}

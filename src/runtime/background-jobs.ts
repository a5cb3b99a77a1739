/**
 * BackgroundJobs: work a request starts and the server does after answering
 * it (a snapshot export; an import's parsing, then its writing), kept track
 * of so that the server can stop: `close` asks every job to stop at its next
 * step (`stopped`) and waits for all of them. A job's expected failures are
 * its own to record; one that throws is a bug, and is logged.
 */

export type JobResult<T> =
  ({ success: true } & T) | { success: false; code: string; error: string };

export class BackgroundJobs {
  readonly #tasks = new Set<Promise<void>>();
  readonly #log: (message: string) => void;
  #stopped = false;

  constructor(log: (message: string) => void) {
    this.#log = log;
  }

  /** True once the server is stopping: a job checks it between steps. */
  get stopped(): boolean {
    return this.#stopped;
  }

  spawn(name: string, work: () => Promise<void>): void {
    const task = work()
      .catch((error: unknown) => {
        this.#log(
          `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      })
      .finally(() => this.#tasks.delete(task));
    this.#tasks.add(task);
  }

  /** Resolves once no job is working, jobs started meanwhile included. */
  async settled(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await this.settled();
  }
}

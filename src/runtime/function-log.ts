/**
 * FunctionLog: the last runs of this process's functions, for the log tail
 * that `npx convex logs` and `npx convex dev` poll (`GET
 * /api/stream_function_logs?cursor=<ms>`, convex-cli-and-guarantees.md
 * §1.8). It is fed the FunctionRunner's execution records and answers "what
 * ran after this cursor", waiting for one when nothing has, as Convex's
 * `FunctionExecutionLog::stream_parts` does (convex-backend
 * `crates/application/src/function_log.rs`):
 *
 * - each entry gets a cursor: its time in milliseconds since the epoch, made
 *   strictly greater than the one before, so a cursor names one place in the
 *   log even for runs that finish in the same millisecond;
 * - a read after cursor `c` returns every entry above `c` and the cursor of
 *   the last one, or waits until there is one (or the caller gives up);
 * - a read after cursor 0 is a tail that has no place yet (the CLI's first
 *   poll, whose entries it prints only as `--history`): it is answered at
 *   once, with what the log keeps and a cursor to read after, even when the
 *   log is empty. Otherwise a tail started before any run would wait for
 *   the first run to find its place, and then not print it.
 *
 * It is memory only and bounded: it forgets the oldest entries past
 * CAPACITY, so a tail that falls further behind than that misses runs, as
 * on Convex. It is not a store of logs: a restart starts it empty.
 */
import type { ExecutionRecord } from './execution-listeners.ts';

export interface FunctionLogEntry {
  /** Where the entry sits in the log: strictly increasing, milliseconds since the epoch. */
  cursorMs: number;
  /** The entry's number in this process, from 1: what its request and execution ids are made of. */
  sequence: number;
  record: ExecutionRecord;
}

export interface FunctionLogRead {
  entries: FunctionLogEntry[];
  /** The cursor to read after next: the last entry's, or the one asked for when there is none. */
  newCursor: number;
}

/**
 * The entries kept: Convex's `MAX_UDF_EXECUTION` (1,000 completions in
 * memory). A record holds its log lines, so this bounds the log's memory to
 * a thousand runs' worth of lines.
 */
export const CAPACITY = 1000;
/** A cursor step that still makes a different double at today's epoch milliseconds (whose spacing is 2^-12). */
const CURSOR_STEP_MS = 0.001;

export class FunctionLog {
  /** Oldest first; at most CAPACITY. */
  readonly #entries: FunctionLogEntry[] = [];
  /** Readers waiting for an entry: each is woken by the next append. */
  readonly #waiters = new Set<() => void>();
  #sequence = 0;
  /** The last cursor handed out, to an entry or to a tail with no place: the next is above it. */
  #lastCursorMs = 0;

  append(record: ExecutionRecord): void {
    this.#entries.push({
      cursorMs: this.#nextCursor(record.endedAtMs),
      sequence: ++this.#sequence,
      record,
    });
    if (this.#entries.length > CAPACITY) this.#entries.shift();
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** How many readers are waiting for the next run. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** The entries after `cursorMs`, now. */
  after(cursorMs: number): FunctionLogRead {
    const seen = this.#entries.findLastIndex(
      (entry) => entry.cursorMs <= cursorMs,
    );
    const entries = this.#entries.slice(seen + 1);
    return { entries, newCursor: entries.at(-1)?.cursorMs ?? cursorMs };
  }

  /**
   * The entries after `cursorMs`, once there is at least one; or none, with
   * the same cursor, when `timeoutMs` passes or `signal` aborts first. A
   * cursor of 0 is answered at once.
   */
  async wait(
    cursorMs: number,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<FunctionLogRead> {
    if (cursorMs <= 0) {
      const kept = this.after(cursorMs);
      return kept.entries.length > 0
        ? kept
        : { entries: [], newCursor: this.#nextCursor(Date.now()) };
    }
    for (;;) {
      const read = this.after(cursorMs);
      if (read.entries.length > 0) return read;
      if (!(await this.#nextAppend(options)))
        return { entries: [], newCursor: cursorMs };
    }
  }

  /** A cursor at `nowMs` or, if that is not above the last one, just above it. */
  #nextCursor(nowMs: number): number {
    this.#lastCursorMs = Math.max(nowMs, this.#lastCursorMs + CURSOR_STEP_MS);
    return this.#lastCursorMs;
  }

  /** True once an entry is appended; false when the wait times out or is aborted. */
  #nextAppend(options: {
    timeoutMs: number;
    signal?: AbortSignal;
  }): Promise<boolean> {
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (appended: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.#waiters.delete(woken);
        resolve(appended);
      };
      const woken = () => settle(true);
      const aborted = () => settle(false);
      const timer = setTimeout(() => settle(false), options.timeoutMs);
      this.#waiters.add(woken);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }
}

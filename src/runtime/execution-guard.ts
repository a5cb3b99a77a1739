/**
 * ExecutionGuard: ends a query or mutation that cannot finish, as Convex
 * does (convex-runtime.md §5.2, §5.3, §8.2):
 *
 * - when its user code has run for more than 1 s in all, not counting the
 *   time its syscalls take, it fails with "Function execution timed out
 *   (maximum duration: 1s)";
 * - when its promise stays pending with no syscall outstanding, nothing
 *   can ever settle it (queries and mutations have no timers or network),
 *   and it fails with "Returned promise will never resolve". Convex knows
 *   this as soon as its event loop is idle; a Node host also does work of
 *   its own the function may wait on (a digest on the thread pool, a `Blob`
 *   being read): each host promise handed to user code counts as
 *   outstanding until it settles (`track`), and the execution must then be
 *   idle for `IDLE_MS`.
 *
 * Once ended, every later syscall of the execution is refused, so code
 * still running cannot write into a transaction its caller has moved on
 * from. What it cannot do: interrupt a synchronous loop that never yields,
 * which needs the function in another thread.
 */

/** Convex's `DATABASE_UDF_USER_TIMEOUT`. */
export const USER_TIME_LIMIT_MS = 1000;
/** Long past any host work a function awaits without a syscall, short enough to fail fast. */
const IDLE_MS = 100;

export class ExecutionEnded extends Error {
  override readonly name = 'ExecutionEnded';
}

export class ExecutionGuard {
  readonly #limitMs: number;
  #userMs = 0;
  #resumedAt = performance.now();
  #outstanding = 0;
  #ended: ExecutionEnded | null = null;
  #end: ((error: ExecutionEnded) => void) | null = null;

  constructor(limitMs = USER_TIME_LIMIT_MS) {
    this.#limitMs = limitMs;
  }

  /** An async syscall, counted: its time is not user time, and it is refused once the execution ended. */
  guard(
    asyncSyscall: (op: string, args: string) => Promise<string>,
  ): (op: string, args: string) => Promise<string> {
    return async (op, args) => {
      const ended = this.enter();
      if (ended) throw ended;
      try {
        return await asyncSyscall(op, args);
      } finally {
        this.leave();
      }
    };
  }

  /** An async syscall starts: its time is not user time. The reason it may not, once the execution ended; else null. */
  enter(): ExecutionEnded | null {
    this.#pause();
    if (this.#ended) return this.#ended;
    this.#outstanding += 1;
    return null;
  }

  /** An async syscall that `enter` let start has settled. */
  leave(): void {
    this.#outstanding -= 1;
    this.#resumedAt = performance.now();
  }

  /** Host work the function waits on: while it is pending the execution is not idle. */
  track(pending: Promise<unknown>): void {
    this.#outstanding += 1;
    const settled = () => {
      this.#outstanding -= 1;
      this.#resumedAt = performance.now();
    };
    pending.then(settled, settled);
  }

  /** The function's promise, or the reason the execution ended first. */
  async watch<T>(pending: Promise<T>): Promise<T> {
    const ended = new Promise<never>((_, reject) => {
      this.#end = reject;
    });
    const idle = setInterval(() => this.#checkIdle(), IDLE_MS);
    try {
      const value = await Promise.race([pending, ended]);
      this.#pause();
      if (this.#ended) throw this.#ended;
      return value;
    } finally {
      clearInterval(idle);
    }
  }

  #pause(): void {
    const now = performance.now();
    this.#userMs += now - this.#resumedAt;
    this.#resumedAt = now;
    if (this.#userMs > this.#limitMs && !this.#ended)
      this.#finish(
        `Function execution timed out (maximum duration: ${this.#limitMs / 1000}s)`,
      );
  }

  #checkIdle(): void {
    if (
      !this.#ended &&
      this.#outstanding === 0 &&
      performance.now() - this.#resumedAt >= IDLE_MS
    )
      this.#finish('Returned promise will never resolve');
  }

  #finish(message: string): void {
    this.#ended = new ExecutionEnded(message);
    this.#end?.(this.#ended);
  }
}

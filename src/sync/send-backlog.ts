/**
 * SendBacklog: what one sync socket has written but the client has not yet
 * taken, and the policy for a client that reads slowly or not at all. It is
 * pure: the connection reports the bytes it sends and, once a second, the
 * bytes still buffered; it never touches a socket.
 *
 * - **flowing**: at most `highWaterBytes` wait. Transitions are built as
 *   changes come.
 * - **throttled**: more wait. No Transition is built until the socket
 *   drains, so a slow reader gets fewer, larger Transitions and holds at
 *   most the high-water mark plus the frames that crossed it.
 * - **stalled**: bytes wait, however few, and not one has left the buffer
 *   for `stallLimitMs`. A socket buffers only what the kernel refused, so
 *   the client's TCP window has stayed shut all that time: it has stopped
 *   reading (a paused or wedged process, a dead network path). The
 *   connection closes the socket with 1013 `ClientNotReading`, freeing what
 *   it held.
 *
 * A reader that is slow but moving is never closed, however long a large
 * Transition takes it: any progress restarts the clock. Convex's own
 * backend likewise keeps one Transition in flight per socket
 * (`SingleFlightSender`); it drops a silent client after 120 s.
 */

export type BacklogState = 'flowing' | 'throttled' | 'stalled';

export interface BacklogLimits {
  highWaterBytes: number;
  stallLimitMs: number;
}

/**
 * - 1 MiB: many ordinary Transitions, so a client that keeps up is never
 *   throttled, while a throttled one costs the server about a megabyte.
 * - 20 s without progress: well past a TCP retransmission backoff riding out
 *   a brief loss (its first retries add up to a few seconds), yet short
 *   enough that 10,000 stuck sockets cannot pin 10 GiB for long. A wrong
 *   guess costs one reconnect: the official client reconnects after any
 *   close but a FatalError, resubscribes, gets current results in one
 *   Transition, and resends unanswered mutations under the same session,
 *   which runs each once.
 */
export const DEFAULT_BACKLOG_LIMITS: BacklogLimits = {
  highWaterBytes: 1 << 20,
  stallLimitMs: 20_000,
};

export class SendBacklog {
  readonly #limits: BacklogLimits;
  /** Bytes handed to the socket since the last observation. */
  #sentSince = 0;
  #lastBuffered = 0;
  /** When the backlog was last seen moving, or first seen waiting. */
  #stuckSince: number | null = null;

  constructor(limits: BacklogLimits = DEFAULT_BACKLOG_LIMITS) {
    this.#limits = limits;
  }

  /** A frame of `bytes` was handed to the socket. */
  sent(bytes: number): void {
    this.#sentSince += bytes;
  }

  /** Whether another Transition may be built with `bufferedBytes` waiting. */
  hasRoom(bufferedBytes: number): boolean {
    return bufferedBytes <= this.#limits.highWaterBytes;
  }

  /**
   * The socket holds `bufferedBytes` at `nowMs`. Bytes left the buffer since
   * the last observation when it holds less than it did plus what was sent
   * since; a frame's header makes a buffer that moved not at all look
   * slightly fuller, never emptier.
   */
  observe(bufferedBytes: number, nowMs: number): BacklogState {
    const flushed = this.#lastBuffered + this.#sentSince - bufferedBytes;
    this.#lastBuffered = bufferedBytes;
    this.#sentSince = 0;
    if (bufferedBytes === 0) {
      this.#stuckSince = null;
      return 'flowing';
    }
    if (flushed > 0 || this.#stuckSince === null) this.#stuckSince = nowMs;
    if (nowMs - this.#stuckSince >= this.#limits.stallLimitMs) return 'stalled';
    return this.hasRoom(bufferedBytes) ? 'flowing' : 'throttled';
  }

  /** How long the backlog has sat still, as of `nowMs`. */
  stuckForMs(nowMs: number): number {
    return this.#stuckSince === null ? 0 : nowMs - this.#stuckSince;
  }
}

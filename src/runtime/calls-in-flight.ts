/**
 * CallsInFlight: the function calls a process has started and not yet
 * finished, so that a process shutting down can let them finish before it
 * closes the store under them. It only counts and waits: it neither refuses
 * new calls (the listeners and sockets closing do that) nor cuts a call
 * short (a call that never ends is ended by a second signal, or by whoever
 * sent the first one giving up).
 *
 * `settled` waits for the calls running when it is asked, not for an idle
 * moment: a process still answering a stream of calls as it stops would
 * otherwise wait for ever.
 */
export class CallsInFlight {
  readonly #running = new Set<Promise<unknown>>();

  /** `call`, counted until it settles. */
  track<T>(call: Promise<T>): Promise<T> {
    this.#running.add(call);
    const forget = (): void => {
      this.#running.delete(call);
    };
    call.then(forget, forget);
    return call;
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves once every call running now has settled, fulfilled or rejected. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}

/**
 * CommitFeed: when to look for the commits other processes made to a
 * shared PostgreSQL store. It wakes its owner on every `NOTIFY` on the
 * store's channel (each commit sends one with its transaction, so it
 * arrives once the commit is visible) and, as a floor, every `pollMs`: a
 * notification lost while the listening connection was down delays a
 * commit by at most that long, it never loses it, because the owner reads
 * the commit log itself from the last commit it has, in order.
 *
 * A notification may carry the commit itself (its payload), which spares
 * the owner a read when it follows the last commit the owner has; the
 * commit log stays the source of truth for everything else.
 */
import pg from 'pg';

export interface CommitFeedOptions {
  url: string;
  channel: string;
  /** How often to look even without a notification. */
  pollMs: number;
  /** `payload`: the notification's, when a notification woke it. */
  wake: (payload?: string) => void;
  /** A failure of the listening connection; the feed keeps polling and listens again. */
  onError: (error: unknown) => void;
}

export class CommitFeed {
  readonly #options: CommitFeedOptions;
  readonly #timer: NodeJS.Timeout;
  #client: pg.Client | null = null;
  #connecting = false;
  #closed = false;

  constructor(options: CommitFeedOptions) {
    this.#options = options;
    this.#timer = setInterval(() => {
      options.wake();
      if (this.#client === null) void this.#listen();
    }, options.pollMs);
    this.#timer.unref();
  }

  /** Connects and listens; resolves once notifications flow (or the attempt failed). */
  async start(): Promise<void> {
    await this.#listen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  async #listen(): Promise<void> {
    if (this.#connecting || this.#closed) return;
    this.#connecting = true;
    const client = new pg.Client({ connectionString: this.#options.url });
    const lost = (error: unknown): void => {
      if (this.#client === client) this.#client = null;
      void client.end().catch(() => undefined);
      if (!this.#closed) this.#options.onError(error);
    };
    client.on('error', lost);
    client.on('notification', (message) => {
      this.#options.wake(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#options.channel}`);
      if (this.#closed) await client.end();
      else {
        this.#client = client;
        // Commits made while no one listened are in the log: look now.
        this.#options.wake();
      }
    } catch (error) {
      lost(error);
    } finally {
      this.#connecting = false;
    }
  }
}

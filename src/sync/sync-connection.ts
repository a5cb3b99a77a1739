/**
 * SyncConnection: the shell around one client socket's SyncSession
 * (convex-protocol.md §2 to §4). It decodes frames, applies them to the
 * session in arrival order, runs mutations one at a time and actions
 * concurrently, and sends Transitions:
 *
 * - after every query-set or identity change, every mutation and action,
 *   and whenever the hub says a subscribed result went stale;
 * - one being built at a time: changes that arrive meanwhile coalesce into
 *   the next, and none is built while the socket's send buffer is full
 *   (a slow reader gets fewer, larger Transitions, not an unbounded queue);
 *   a client that stops reading altogether is closed (see SendBacklog).
 *
 * Protocol violations close the socket the way the real backend does
 * (`FatalError` and a close without a code for the BadRequest class, 1011
 * `InternalServerError` otherwise); function failures are answers, never
 * closes. It is not the transport: SyncSocket is whatever carries frames.
 */
import type { JSONValue } from 'convex/values';
import { decode } from '../protocol/decode.ts';
import { encode } from '../protocol/encode.ts';
import { encodeTransition } from '../protocol/encode-transition.ts';
import { parseSemver } from '../protocol/semver.ts';
import type {
  Action,
  ActionResponse,
  Authenticate,
  ClientMessage,
  Mutation,
  MutationResponse,
  ServerMessage,
  Transition,
} from '../protocol/messages.ts';
import {
  MAX_TRANSITION_BYTES,
  chunkTransition,
} from '../protocol/transition-chunks.ts';
import type { Timestamp } from '../protocol/timestamp.ts';
import type { Value } from '../protocol/values.ts';
import type { FunctionResult } from '../runtime/function-result.ts';
import type {
  HubSubscriber,
  QueryRun,
  SubscriptionHub,
} from './subscription-hub.ts';
import { type QuerySpec, querySpecKey } from './query-spec.ts';
import { SendBacklog } from './send-backlog.ts';
import {
  type QueryResult,
  type SessionIdentity,
  type SessionViolation,
  type SubscribedQuery,
  SyncSession,
} from './sync-session.ts';

/** What carries frames to and from one client. */
export interface SyncSocket {
  /** A text frame: its text, or its text's UTF-8 bytes (sent as they are). */
  send(frame: string | Uint8Array): void;
  /** Bytes written but not yet sent. */
  bufferedBytes(): number;
  /** Runs `write`, whose frames leave together (one write to the network where the transport can). */
  cork(write: () => void): void;
  /** Closes the socket; a null code sends a close frame without one. */
  close(code: number | null, reason: string): void;
}

export type AuthenticateResult =
  | { success: true; identity: SessionIdentity }
  | { success: false; error: string };

/** What a connection needs of the rest of the server. */
export interface SyncServices {
  runMutation(
    path: string,
    args: Value,
    options: {
      identity: Record<string, JSONValue> | null;
      /** True when the session authenticated with the admin key: it may call internal and system functions. */
      admin: boolean;
      session?: { sessionId: string; requestId: number; mayBeResent: boolean };
    },
  ): Promise<FunctionResult & { ts?: Timestamp }>;
  runAction(
    path: string,
    args: Value,
    options: { identity: Record<string, JSONValue> | null; admin: boolean },
  ): Promise<FunctionResult>;
  latestTs(): Promise<Timestamp>;
  /** The latest timestamp once every commit already made, by any process, is heard. */
  catchUp(): Promise<Timestamp>;
  hub: SubscriptionHub<QuerySpec>;
  authenticate(message: Authenticate): Promise<AuthenticateResult>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Told the size in bytes of every Transition sent, before chunking (for `/metrics`). */
  transitionSent?: (bytes: number) => void;
}

export interface ConnectionOptions {
  /** The client's npm version from the URL: chunked Transitions need 1.28.0 or later. */
  clientVersion: string | null;
}

/** Shared by every connection: a chain starts from it, nothing is added to it. */
const SETTLED: Promise<void> = Promise.resolve();
const NONE_STALE: ReadonlySet<number> = new Set();

/** Convex's limits on one socket's queued mutations and running actions. */
const MAX_QUEUED_MUTATIONS = 1000;
const MAX_RUNNING_ACTIONS = 1000;
/** Convex's `HEARTBEAT_INTERVAL`: a Ping after this much outbound silence. */
export const PING_AFTER_MS = 15_000;

type State = 'open' | 'closed';

export class SyncConnection implements HubSubscriber {
  readonly #socket: SyncSocket;
  readonly #services: SyncServices;
  readonly #chunked: boolean;
  readonly #session = new SyncSession();
  readonly #backlog = new SendBacklog();
  #state: State = 'open';
  #inbound: Promise<void> = SETTLED;
  #mutations: Promise<void> = SETTLED;
  #queuedMutations = 0;
  #runningActions = 0;
  #dirty = false;
  #force = false;
  #pumping = false;
  /** The pump, waiting for room in the socket's buffer; null when it is not. */
  #drainWaiter: (() => void) | null = null;
  /** Answers waiting for the pump to send them ahead of its Transition. */
  #held: string[] | null = null;
  /**
   * The hub key each query is subscribed under. The queries under one key
   * are found by a scan: a socket holds few queries, and a second index per
   * socket would cost every idle socket a map and a set.
   */
  readonly #keys = new Map<number, string>();
  /** Queries whose results the hub said went stale since the last plan; null for none. */
  #stale: Set<number> | null = null;
  lastSentAt: number;

  constructor(
    socket: SyncSocket,
    services: SyncServices,
    options: ConnectionOptions,
  ) {
    this.#socket = socket;
    this.#services = services;
    this.#chunked = supportsChunks(options.clientVersion);
    this.lastSentAt = Date.now();
  }

  /** The queries this client is subscribed to. */
  get subscriptions(): number {
    return this.#keys.size;
  }

  /** A text frame from the client. */
  receive(text: string): void {
    if (this.#state !== 'open') return;
    const decoded = decode(text);
    if (!decoded.success) {
      this.#violation({ kind: 'fatal', message: decoded.error.message });
      return;
    }
    const { message } = decoded;
    this.#inbound = this.#inbound
      .then(() => this.#handle(message))
      .catch((error: unknown) => this.#crash(error));
  }

  /** A binary frame: the client never sends one. */
  receiveBinary(): void {
    this.#violation({
      kind: 'fatal',
      message: 'InvalidMessage: binary frames are not part of the protocol.',
    });
  }

  /** The socket has room again. */
  drained(): void {
    const wake = this.#drainWaiter;
    this.#drainWaiter = null;
    wake?.();
  }

  /** The socket closed, by either side. */
  closed(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const key of this.#keys.values())
      this.#services.hub.unsubscribe(key, this);
    this.#keys.clear();
    this.drained();
  }

  /**
   * The server is stopping: closes the socket with 1001, after which the
   * client reconnects on its own, and resolves once the mutation running,
   * if any, has finished (those queued behind it are not run).
   */
  shutdown(): Promise<void> {
    this.#close(1001, 'ServerShutdown');
    return this.#mutations;
  }

  /**
   * Called once a second: closes the socket of a client that has stopped
   * reading, keeps the client's inactivity timer from firing, and expires
   * identities.
   */
  tick(nowMs: number): void {
    if (this.#state !== 'open') return;
    const buffered = this.#socket.bufferedBytes();
    if (this.#backlog.observe(buffered, nowMs) === 'stalled') {
      this.#services.log(
        'warn',
        `closing a sync socket that stopped reading: ${buffered} bytes unsent for ${this.#backlog.stuckForMs(nowMs)} ms`,
      );
      this.#close(1013, 'ClientNotReading');
      return;
    }
    // Bytes the socket flushes while sending a frame bring no drain event.
    if (this.#drainWaiter !== null && this.#backlog.hasRoom(buffered))
      this.drained();
    const { identity } = this.#session;
    if (
      identity.kind === 'user' &&
      identity.expiresAtMs !== null &&
      identity.expiresAtMs <= nowMs
    ) {
      this.#send({
        type: 'AuthError',
        error: 'Token expired',
        baseVersion: this.#session.version.identity,
        authUpdateAttempted: false,
      });
      this.#close(null, 'Unauthenticated');
      return;
    }
    if (nowMs - this.lastSentAt >= PING_AFTER_MS) this.#send({ type: 'Ping' });
  }

  invalidated(key: string): void {
    for (const [queryId, queryKey] of this.#keys)
      if (queryKey === key) (this.#stale ??= new Set()).add(queryId);
    this.#schedule(false);
  }

  async #handle(message: ClientMessage): Promise<void> {
    if (this.#state !== 'open') return;
    switch (message.type) {
      case 'Connect': {
        // A client that moved here from another process of the deployment
        // may have observed commits this process has not heard of yet.
        let latest = await this.#services.latestTs();
        if (
          message.maxObservedTimestamp !== undefined &&
          message.maxObservedTimestamp > latest
        )
          latest = await this.#services.catchUp();
        const outcome = this.#session.connect(message, latest, Date.now());
        if (!outcome.success) this.#violation(outcome.violation);
        return;
      }
      case 'ModifyQuerySet': {
        const outcome = this.#session.modifyQuerySet(message);
        if (!outcome.success) this.#violation(outcome.violation);
        else this.#schedule(true);
        return;
      }
      case 'Authenticate':
        return this.#authenticate(message);
      case 'Mutation':
      case 'Action': {
        const refusal = this.#componentRefusal(message);
        if (refusal !== null) this.#violation(refusal);
        else if (message.type === 'Mutation') this.#enqueueMutation(message);
        else this.#startAction(message);
        return;
      }
      case 'Event':
        return;
    }
  }

  /**
   * A call into a component other than the root: Convex lets only admins
   * make one (convex-protocol.md §5.6), with this message for anyone else.
   * This server runs no components, so for an admin too the call cannot be
   * served; the official client sends no component path from an app.
   */
  #componentRefusal(message: Mutation | Action): SessionViolation | null {
    const component = message.componentPath ?? '';
    if (component === '') return null;
    return {
      kind: 'fatal',
      message:
        this.#session.identity.kind === 'admin'
          ? `InvalidComponentPath: this deployment has no component "${component}"`
          : 'Only admin or system users can call functions on non-root components directly',
    };
  }

  async #authenticate(message: Authenticate): Promise<void> {
    const outcome = this.#session.checkAuthenticate(message.baseVersion);
    if (!outcome.success) {
      this.#violation(outcome.violation);
      return;
    }
    const verified = await this.#services.authenticate(message);
    if (this.#state !== 'open') return;
    if (!verified.success) {
      this.#send({
        type: 'AuthError',
        error: verified.error,
        baseVersion: this.#session.version.identity,
        authUpdateAttempted: true,
      });
      this.#close(null, 'AuthUpdateFailed');
      return;
    }
    this.#session.setIdentity(verified.identity);
    this.#schedule(true);
  }

  #enqueueMutation(message: Mutation): void {
    if (this.#queuedMutations >= MAX_QUEUED_MUTATIONS) {
      this.#close(1013, 'TooManyConcurrentMutations');
      return;
    }
    this.#queuedMutations += 1;
    // Each mutation runs as the identity of the moment it arrived.
    const identity = this.#identityJson();
    const admin = this.#session.identity.kind === 'admin';
    const { sessionId, firstConnection } = this.#session;
    this.#mutations = this.#mutations
      .then(async () => {
        if (this.#state !== 'open') return;
        const result = await this.#services.runMutation(
          message.udfPath,
          message.args[0] ?? {},
          {
            identity,
            admin,
            ...(sessionId === null
              ? {}
              : {
                  session: {
                    sessionId,
                    requestId: message.requestId,
                    mayBeResent: !firstConnection,
                  },
                }),
          },
        );
        if (this.#state !== 'open') return;
        const answer = responseFields(message.requestId, result);
        this.#hold(
          answer.success
            ? {
                type: 'MutationResponse',
                ...answer,
                ts: result.ts ?? (await this.#services.latestTs()),
              }
            : { type: 'MutationResponse', ...answer },
        );
      })
      .catch((error: unknown) => this.#crash(error))
      .finally(() => {
        this.#queuedMutations -= 1;
      });
  }

  #startAction(message: Action): void {
    if (this.#runningActions >= MAX_RUNNING_ACTIONS) {
      this.#close(1013, 'TooManyConcurrentActions');
      return;
    }
    this.#runningActions += 1;
    this.#services
      .runAction(message.udfPath, message.args[0] ?? {}, {
        identity: this.#identityJson(),
        admin: this.#session.identity.kind === 'admin',
      })
      .then((result) => {
        if (this.#state !== 'open') return;
        this.#hold({
          type: 'ActionResponse',
          ...responseFields(message.requestId, result),
        });
      })
      .catch((error: unknown) => this.#crash(error))
      .finally(() => {
        this.#runningActions -= 1;
      });
  }

  #identityJson(): Record<string, JSONValue> | null {
    const { identity } = this.#session;
    return identity.kind === 'none' ? null : identity.identity;
  }

  /** Asks for a Transition; `force` sends one even if nothing changed (a mutation or action is owed one). */
  #schedule(force: boolean): void {
    this.#dirty = true;
    if (force) this.#force = true;
    if (!this.#pumping && this.#state === 'open') {
      this.#pumping = true;
      // After the frames already read are applied: a burst of them makes one Transition.
      setImmediate(() => {
        this.#pump().catch((error: unknown) => this.#crash(error));
      });
    }
  }

  async #pump(): Promise<void> {
    try {
      while (this.#dirty && this.#state === 'open') await this.#pumpOnce();
    } finally {
      // In the same step as the loop's last look at `#dirty`: a change
      // scheduled after it starts a new pump instead of waiting on this one.
      this.#pumping = false;
    }
  }

  /** Builds and sends one Transition, once the socket has room for it. */
  async #pumpOnce(): Promise<void> {
    await this.#roomToSend();
    if (this.#state !== 'open') return;
    this.#dirty = false;
    const force = this.#force;
    this.#force = false;
    const stale = this.#stale ?? NONE_STALE;
    this.#stale = null;
    const plan = this.#session.planTransition(stale);
    const ts = await this.#services.latestTs();
    const identity = this.#identityJson();
    const results = new Map<number, QueryResult>();
    await Promise.all(
      plan.queries.map(async (query) => {
        results.set(query.queryId, await this.#result(query, identity, ts));
      }),
    );
    for (const queryId of plan.removed) this.#unsubscribe(queryId);
    if (this.#state !== 'open') return;
    const transition = this.#session.completeTransition(plan, ts, results, {
      force,
    });
    this.#flush(transition);
  }

  /**
   * A mutation's or an action's answer, held for the pump this schedules:
   * it leaves just ahead of the Transition the answer is owed, in one write.
   * The client resolves a successful mutation only on a Transition at or
   * after its commit (convex-protocol.md §4.5), so sending the answer alone
   * first would gain nothing and cost a write.
   */
  #hold(message: MutationResponse | ActionResponse): void {
    (this.#held ??= []).push(encode(message));
    this.#schedule(true);
  }

  /** The held answers, in the order they came, then the Transition if any, corked into one write. */
  #flush(transition: Transition | null): void {
    const held = this.#held;
    this.#held = null;
    if (held === null && transition === null) return;
    this.#socket.cork(() => {
      if (held !== null)
        for (const text of held) this.#sendFrame(text, Buffer.byteLength(text));
      if (transition !== null) this.#sendTransition(transition);
    });
  }

  /** A query's result at `ts` through the hub, keeping its subscription under its latest journal. */
  async #result(
    query: SubscribedQuery,
    identity: Record<string, JSONValue> | null,
    ts: Timestamp,
  ): Promise<QueryResult> {
    const spec: QuerySpec = {
      udfPath: query.udfPath,
      args: query.args,
      identity,
      admin: this.#session.identity.kind === 'admin',
      journal: query.journal,
    };
    const key = querySpecKey(spec);
    this.#resubscribe(query.queryId, key, spec);
    const run: QueryRun = await this.#services.hub.resultAt(key, spec, ts);
    if (run.result.journal !== query.journal && this.#state === 'open') {
      // The same result, pinned by the journal it produced: what the next run will use.
      const pinned = { ...spec, journal: run.result.journal };
      this.#resubscribe(query.queryId, querySpecKey(pinned), pinned, run);
    }
    return run.result;
  }

  #resubscribe(
    queryId: number,
    key: string,
    spec: QuerySpec,
    seed?: QueryRun,
  ): void {
    if (this.#state !== 'open') return;
    const previous = this.#keys.get(queryId);
    if (previous === key) return;
    this.#services.hub.subscribe(key, spec, this, seed);
    this.#keys.set(queryId, key);
    if (previous !== undefined) this.#release(previous);
  }

  #unsubscribe(queryId: number): void {
    const key = this.#keys.get(queryId);
    if (key === undefined) return;
    this.#keys.delete(queryId);
    this.#release(key);
  }

  /** A query no longer uses a hub key; the hub hears of it when none of this socket's do. */
  #release(key: string): void {
    for (const other of this.#keys.values()) if (other === key) return;
    this.#services.hub.unsubscribe(key, this);
  }

  #roomToSend(): Promise<void> {
    if (this.#backlog.hasRoom(this.#socket.bufferedBytes()))
      return Promise.resolve();
    return new Promise((resolve) => {
      this.#drainWaiter = resolve;
    });
  }

  #sendTransition(transition: Transition): void {
    const frame = encodeTransition({
      ...transition,
      serverTs: Number(process.hrtime.bigint() + epochOffsetNs),
    });
    if (this.#chunked && frame.length > MAX_TRANSITION_BYTES)
      for (const part of chunkTransition(frame.toString('utf8')))
        this.#sendFrame(part, Buffer.byteLength(part));
    else this.#sendFrame(frame, frame.length);
    this.#services.transitionSent?.(frame.length);
  }

  #send(message: ServerMessage): void {
    const text = encode(message);
    this.#sendFrame(text, Buffer.byteLength(text));
  }

  #sendFrame(frame: string | Uint8Array, bytes: number): void {
    if (this.#state !== 'open') return;
    this.lastSentAt = Date.now();
    this.#backlog.sent(bytes);
    this.#socket.send(frame);
  }

  #violation(violation: SessionViolation): void {
    this.#services.log('warn', `closing a sync socket: ${violation.message}`);
    if (violation.kind === 'fatal') {
      this.#send({ type: 'FatalError', error: violation.message });
      this.#close(null, firstWord(violation.message));
    } else this.#close(1011, 'InternalServerError');
  }

  #crash(error: unknown): void {
    this.#services.log(
      'error',
      `sync socket failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    this.#close(1011, 'InternalServerError');
  }

  #close(code: number | null, reason: string): void {
    if (this.#state !== 'open') return;
    this.#socket.close(code, reason);
    this.closed();
  }
}

/** What a MutationResponse and an ActionResponse share: the result or the error. */
function responseFields(requestId: number, result: FunctionResult) {
  return result.success
    ? {
        requestId,
        success: true as const,
        result: result.value,
        logLines: result.logLines,
      }
    : {
        requestId,
        success: false as const,
        result: result.errorMessage,
        logLines: result.logLines,
        ...(result.errorData === undefined
          ? {}
          : { errorData: result.errorData }),
      };
}

/** Chunked Transitions came with npm 1.28.0 (convex-protocol.md §3.2). */
function supportsChunks(version: string | null): boolean {
  const semver = version === null ? null : parseSemver(version);
  if (semver === null) return false;
  const { major, minor } = semver;
  return major > 1 || (major === 1 && minor >= 28);
}

function firstWord(message: string): string {
  return message.split(/[:\s]/, 1)[0] ?? 'BadRequest';
}

/** Wall-clock nanoseconds from the monotonic clock: `serverTs` is nanoseconds since the epoch. */
const epochOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

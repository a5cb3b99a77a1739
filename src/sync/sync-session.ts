/**
 * SyncSession: what the server knows of one client socket, as a pure state
 * machine (convex-protocol.md §4): the versions it has received and the one
 * it last sent, the query set, the identity, and what each query's result
 * was when last sent, so a Transition carries only what changed.
 *
 * It does no I/O: the socket shell (sync-connection.ts) feeds it decoded
 * messages and query results and sends what it returns. Its rules:
 *
 * - `ModifyQuerySet` and `Authenticate` must build on the last version
 *   *received* (they are pipelined); a query-set mismatch is fatal for the
 *   client (`BaseVersionMismatch`), the others close the socket with 1011.
 * - A Transition starts exactly at the last `endVersion` sent (zero on every
 *   socket) and ends at the versions received when it was planned, at one
 *   snapshot timestamp; it carries `QueryRemoved` for removed queries and a
 *   result for every query whose value, log lines, error or journal changed.
 *
 *   planTransition() ──▶ (the shell runs the plan's queries) ──▶ completeTransition()
 */
import { sameValue } from '../protocol/encoded-value.ts';
import type {
  AddQuery,
  Connect,
  ModifyQuerySet,
  StateModification,
  StateVersion,
  Transition,
} from '../protocol/messages.ts';
import type { Timestamp } from '../protocol/timestamp.ts';
import type { Value } from '../protocol/values.ts';
import type { Caller } from '../runtime/authenticate.ts';

/**
 * A subscribed query, as the client added it, with the latest journal and
 * result sent for it. The session alone changes it.
 */
export interface SubscribedQuery {
  queryId: number;
  udfPath: string;
  args: Value;
  journal: string | null;
  /**
   * The result last sent: the hub's own object, shared with every session
   * it was sent to, so holding it costs a reference. Null until one is sent,
   * and again after an identity change.
   */
  sent: QueryResult | null;
}

/** The identity functions of this session see: the caller its last `Authenticate` made. */
export type SessionIdentity = Caller;

/** The outcome of a query run for a Transition. */
export type QueryResult =
  | { success: true; value: Value; logLines: string[]; journal: string | null }
  | {
      success: false;
      errorMessage: string;
      errorData?: Value;
      logLines: string[];
      journal: string | null;
    };

/** A violation the shell answers by closing the socket. */
export type SessionViolation =
  { kind: 'fatal'; message: string } | { kind: 'internal'; message: string };

export type SessionOutcome =
  { success: true } | { success: false; violation: SessionViolation };

/** What a Transition will cover: taken when it starts, so later messages wait for the next one. */
export interface TransitionPlan {
  querySet: number;
  identity: number;
  queries: SubscribedQuery[];
  removed: readonly number[];
}

const OK: SessionOutcome = { success: true };
/** Where every socket starts; shared, as every version is never changed once made. */
const ZERO_VERSION: StateVersion = Object.freeze({
  querySet: 0,
  identity: 0,
  ts: 0n,
});
const NONE_REMOVED: readonly number[] = Object.freeze([]);
const NO_IDENTITY: SessionIdentity = Object.freeze({ kind: 'none' });

export class SyncSession {
  /** From `Connect`; null when the client never sent one (`expectAuth`). */
  sessionId: string | null = null;
  /**
   * True when `Connect` said this is the client's first socket
   * (`connectionCount` 0): nothing it sends can be a re-send.
   */
  firstConnection = false;
  /** `clientTs − server now`, in ms, from `Connect`. */
  clientClockSkew: number | null = null;
  identity: SessionIdentity = NO_IDENTITY;
  /** The versions last received from the client. */
  #receivedQuerySet = 0;
  #receivedIdentity = 0;
  #version: StateVersion = ZERO_VERSION;
  readonly #queries = new Map<number, SubscribedQuery>();
  /** Removed since the last plan, to report as `QueryRemoved`; null for none. */
  #removed: number[] | null = null;

  /** The last `endVersion` sent: where the next Transition starts. */
  get version(): StateVersion {
    return this.#version;
  }

  get receivedIdentityVersion(): number {
    return this.#receivedIdentity;
  }

  connect(
    message: Connect,
    latestTs: Timestamp,
    nowMs: number,
  ): SessionOutcome {
    this.sessionId = message.sessionId;
    this.firstConnection = message.connectionCount === 0;
    if (message.clientTs !== undefined)
      this.clientClockSkew = message.clientTs - nowMs;
    if (
      message.maxObservedTimestamp !== undefined &&
      message.maxObservedTimestamp > latestTs
    )
      return internal(
        `Client has observed timestamp ${message.maxObservedTimestamp}, ahead of the server's latest ${latestTs}.`,
      );
    return OK;
  }

  modifyQuerySet(message: ModifyQuerySet): SessionOutcome {
    if (message.baseVersion !== this.#receivedQuerySet)
      return {
        success: false,
        violation: {
          kind: 'fatal',
          message: `BaseVersionMismatch: the query set is at version ${this.#receivedQuerySet}, not ${message.baseVersion}.`,
        },
      };
    if (message.newVersion <= message.baseVersion)
      return internal(
        `The new query set version ${message.newVersion} is not after ${message.baseVersion}.`,
      );
    const added = new Map<number, AddQuery>();
    const removed = new Set<number>();
    for (const change of message.modifications) {
      const exists =
        (this.#queries.has(change.queryId) && !removed.has(change.queryId)) ||
        added.has(change.queryId);
      if (change.type === 'Add') {
        if (exists) return internal(`Duplicate query ID ${change.queryId}`);
        added.set(change.queryId, change);
      } else {
        if (!exists) return internal(`Nonexistent query id ${change.queryId}`);
        if (!added.delete(change.queryId)) removed.add(change.queryId);
      }
    }
    for (const queryId of removed) {
      this.#queries.delete(queryId);
      (this.#removed ??= []).push(queryId);
    }
    for (const add of added.values())
      this.#queries.set(add.queryId, {
        queryId: add.queryId,
        udfPath: add.udfPath,
        args: add.args[0] ?? {},
        journal: add.journal ?? null,
        sent: null,
      });
    this.#receivedQuerySet = message.newVersion;
    return OK;
  }

  /** Checks an `Authenticate`'s base version; the shell verifies its token before `setIdentity`. */
  checkAuthenticate(baseVersion: number): SessionOutcome {
    return baseVersion === this.#receivedIdentity
      ? OK
      : internal(
          `The identity is at version ${this.#receivedIdentity}, not ${baseVersion}.`,
        );
  }

  /** A verified identity: every query reruns in the next Transition, which confirms it. */
  setIdentity(identity: SessionIdentity): void {
    this.identity = identity;
    this.#receivedIdentity += 1;
    for (const query of this.#queries.values()) query.sent = null;
  }

  /**
   * What the next Transition covers: the queries whose results the client
   * has not been sent (new ones, and all after an identity change) and the
   * `stale` ones, whose results a commit may have changed (`all`: every
   * query). A query in neither still has the result the client holds, so it
   * costs nothing.
   */
  planTransition(stale: ReadonlySet<number> | 'all' = 'all'): TransitionPlan {
    const queries: SubscribedQuery[] = [];
    for (const query of this.#queries.values())
      if (stale === 'all' || stale.has(query.queryId) || query.sent === null)
        queries.push(query);
    const plan = {
      querySet: this.#receivedQuerySet,
      identity: this.#receivedIdentity,
      queries,
      removed: this.#removed ?? NONE_REMOVED,
    };
    this.#removed = null;
    return plan;
  }

  /**
   * The Transition to `ts` for a plan, given a result for each of its
   * queries. Without `force`, null when it would change nothing the client
   * can see (no modification, no new query-set or identity version); a
   * Transition owed to a mutation or an action is forced, even empty.
   */
  completeTransition(
    plan: TransitionPlan,
    ts: Timestamp,
    results: ReadonlyMap<number, QueryResult>,
    options: { force: boolean },
  ): Transition | null {
    const modifications: StateModification[] = plan.removed.map((queryId) => ({
      type: 'QueryRemoved',
      queryId,
    }));
    for (const query of plan.queries) {
      const result = results.get(query.queryId);
      // A query removed while it ran (even if its id was added again) is
      // reported as removed, not updated.
      if (!result || this.#queries.get(query.queryId) !== query) continue;
      if (query.sent !== null && sameResult(query.sent, result)) continue;
      query.sent = result;
      query.journal = result.journal;
      modifications.push(
        result.success
          ? {
              type: 'QueryUpdated',
              queryId: query.queryId,
              value: result.value,
              logLines: result.logLines,
              journal: result.journal,
            }
          : {
              type: 'QueryFailed',
              queryId: query.queryId,
              errorMessage: result.errorMessage,
              logLines: result.logLines,
              journal: result.journal,
              ...(result.errorData === undefined
                ? {}
                : { errorData: result.errorData }),
            },
      );
    }
    if (
      !options.force &&
      modifications.length === 0 &&
      plan.querySet === this.#version.querySet &&
      plan.identity === this.#version.identity
    )
      return null;
    const endVersion: StateVersion = {
      querySet: plan.querySet,
      identity: plan.identity,
      ts: ts > this.#version.ts ? ts : this.#version.ts,
    };
    const transition: Transition = {
      type: 'Transition',
      startVersion: this.#version,
      endVersion,
      modifications,
      clientClockSkew: this.clientClockSkew,
      serverTs: null,
    };
    this.#version = endVersion;
    return transition;
  }
}

function internal(message: string): SessionOutcome {
  return { success: false, violation: { kind: 'internal', message } };
}

/** Whether a client holding result `a` would see no change in `b`. */
function sameResult(a: QueryResult, b: QueryResult): boolean {
  if (a === b) return true;
  if (a.journal !== b.journal || !sameLines(a.logLines, b.logLines))
    return false;
  if (a.success) return b.success && sameValue(a.value, b.value);
  if (b.success || a.errorMessage !== b.errorMessage) return false;
  return a.errorData === undefined || b.errorData === undefined
    ? a.errorData === b.errorData
    : sameValue(a.errorData, b.errorData);
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

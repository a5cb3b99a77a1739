/**
 * SyncServer: every sync socket of one process, and what they share: the
 * subscription hub fed by the store's commits, the function runner, token
 * verification, and one timer that sends Pings and expires identities for
 * all connections (one timer, not one per socket, so 10,000 idle sockets
 * cost nothing between ticks).
 *
 * It knows no transport: the WebSocket layer hands it a SyncSocket per
 * client and forwards frames to the connection it gets back.
 */
import type { Authenticate } from '../protocol/messages.ts';
import {
  type Credential,
  authenticate as authenticateCredential,
} from '../runtime/authenticate.ts';
import type { FunctionRunner } from '../runtime/function-runner.ts';
import type { IdentityVerifier } from '../runtime/identity-verifier.ts';
import { impersonatedIdentity } from '../runtime/user-identity.ts';
import type { DocumentStore } from '../store/store.ts';
import type { QuerySpec } from './query-spec.ts';
import { SubscriptionHub } from './subscription-hub.ts';
import {
  type AuthenticateResult,
  type ConnectionOptions,
  SyncConnection,
  type SyncServices,
  type SyncSocket,
} from './sync-connection.ts';

/** How often idle sockets are checked: well inside the 15 s Ping interval. */
const TICK_MS = 1000;

export interface SyncServerOptions {
  runner: FunctionRunner;
  store: DocumentStore;
  /** Null: no auth providers and no development secret, so every user token is refused. */
  verifier: IdentityVerifier | null;
  adminKey: string;
  log: SyncServices['log'];
  transitionSent?: SyncServices['transitionSent'];
}

export class SyncServer {
  readonly #connections = new Set<SyncConnection>();
  readonly #services: SyncServices;
  readonly #hub: SubscriptionHub<QuerySpec>;
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  private constructor(
    options: SyncServerOptions,
    hub: SubscriptionHub<QuerySpec>,
  ) {
    const { runner, store } = options;
    this.#hub = hub;
    this.#unsubscribe = store.onCommit((entry) => hub.commit(entry));
    this.#services = {
      hub,
      latestTs: () => store.latestTs(),
      catchUp: () => store.catchUp(),
      // An admin, like an admin's HTTP call, reaches internal functions too.
      runMutation: (path, args, callOptions) =>
        runner.runMutation(path, args, {
          ...callOptions,
          fromClient: !callOptions.admin,
        }),
      runAction: (path, args, callOptions) =>
        runner.runAction(path, args, {
          ...callOptions,
          fromClient: !callOptions.admin,
        }),
      authenticate: (message) => authenticate(message, options),
      log: options.log,
      ...(options.transitionSent
        ? { transitionSent: options.transitionSent }
        : {}),
    };
    this.#timer = setInterval(() => {
      const now = Date.now();
      for (const connection of this.#connections) connection.tick(now);
    }, TICK_MS);
    this.#timer.unref();
  }

  static async start(options: SyncServerOptions): Promise<SyncServer> {
    const { runner, store } = options;
    const hub = new SubscriptionHub<QuerySpec>(
      async (spec, ts) => {
        const outcome = await runner.runQuery(spec.udfPath, spec.args, {
          identity: spec.identity,
          fromClient: !spec.admin,
          admin: spec.admin,
          ts,
          journal: spec.journal,
        });
        const { readSet, journal, ts: readTs } = outcome;
        return {
          readSet,
          ts: readTs,
          result: outcome.success
            ? {
                success: true,
                value: outcome.value,
                logLines: outcome.logLines,
                journal,
              }
            : {
                success: false,
                errorMessage: outcome.errorMessage,
                logLines: outcome.logLines,
                journal,
                ...(outcome.errorData === undefined
                  ? {}
                  : { errorData: outcome.errorData }),
              },
        };
      },
      { latestTs: await store.latestTs() },
    );
    return new SyncServer(options, hub);
  }

  /** A new client socket; the caller forwards its frames and events to the connection. */
  connect(socket: SyncSocket, options: ConnectionOptions): SyncConnection {
    const connection = new SyncConnection(socket, this.#services, options);
    this.#connections.add(connection);
    return connection;
  }

  /** The socket of `connection` closed. */
  disconnect(connection: SyncConnection): void {
    connection.closed();
    this.#connections.delete(connection);
  }

  get connections(): number {
    return this.#connections.size;
  }

  /** Every client's subscribed queries, counted once per client (read when scraped). */
  get subscriptions(): number {
    let count = 0;
    for (const connection of this.#connections)
      count += connection.subscriptions;
    return count;
  }

  get distinctQueries(): number {
    return this.#hub.size;
  }

  /**
   * The functions or their environment changed: every subscribed query
   * reruns on its socket, which stays open, and the clients get the new
   * results in their next Transitions.
   */
  invalidateAll(): void {
    this.#hub.invalidateAll();
  }

  /** Closes every socket (the clients reconnect) and waits for their running mutations. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#unsubscribe();
    const connections = [...this.#connections];
    this.#connections.clear();
    await Promise.all(connections.map((connection) => connection.shutdown()));
  }
}

/** An `Authenticate` frame's credential, checked as the HTTP API checks its header. */
async function authenticate(
  message: Authenticate,
  options: SyncServerOptions,
): Promise<AuthenticateResult> {
  let credential: Credential;
  switch (message.tokenType) {
    case 'None':
      credential = { kind: 'none' };
      break;
    case 'Admin': {
      const attributes = message.impersonating ?? message.actingAs;
      const actingAs =
        attributes === undefined ? null : impersonatedIdentity(attributes);
      if (actingAs !== null && !actingAs.success)
        return { success: false, error: actingAs.error };
      credential = {
        kind: 'admin',
        key: message.value,
        actingAs: actingAs?.identity ?? null,
      };
      break;
    }
    case 'User':
      credential = { kind: 'user', token: message.value };
      break;
  }
  const result = await authenticateCredential(credential, options);
  return result.success
    ? { success: true, identity: result.caller }
    : { success: false, error: result.error.message };
}

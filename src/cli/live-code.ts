/**
 * LiveCode: the code this server runs, and the one way new code replaces
 * it, whether `converge dev` reloaded the functions directory or the CLI
 * finished a push. The schema's indexes are made to match first (new ones
 * backfilled), then the runner, the crons and the identity providers are
 * swapped together, and every subscribed query reruns, so connected
 * clients see the new code's results without reconnecting. A call already
 * running finishes with the function it started.
 *
 * It also remembers which pushed code is live (null when the functions
 * directory's is), so that a process sharing the store with others
 * follows the pushes they finish (`follow`), and the fingerprint of the
 * functions directory being served (null when there is none, or it is
 * empty), which a push records (deployed-code.ts).
 */
import { type AppConfig, appConfigOf } from '../runtime/app-config.ts';
import { applySchema } from '../runtime/apply-schema.ts';
import {
  type DeployedCode,
  loadDeployedCode,
  sameDeployedCode,
} from '../runtime/deployed-code.ts';
import type { FunctionRunner } from '../runtime/function-runner.ts';
import type { IdentityVerifier } from '../runtime/identity-verifier.ts';
import type { LoadedFunctions } from '../runtime/load-functions.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { DocumentStore } from '../store/store.ts';
import type { SyncServer } from '../sync/sync-server.ts';

export interface LiveParts {
  store: DocumentStore;
  runner: FunctionRunner;
  scheduler: Scheduler;
  verifier: IdentityVerifier;
  sync: SyncServer;
}

export interface Code {
  loaded: LoadedFunctions;
  config: AppConfig;
}

/** What `follow` did with the deployed code it was given. */
export type FollowResult =
  | { kind: 'unchanged' }
  | { kind: 'live'; functions: number }
  | { kind: 'failed'; error: string };

export class LiveCode {
  #current: Code;
  #deployed: DeployedCode | null;
  #directoryFingerprint: string | null;
  readonly #parts: LiveParts;

  constructor(
    current: Code,
    deployed: DeployedCode | null,
    directoryFingerprint: string | null,
    parts: LiveParts,
  ) {
    this.#current = current;
    this.#deployed = deployed;
    this.#directoryFingerprint = directoryFingerprint;
    this.#parts = parts;
  }

  get current(): Code {
    return this.#current;
  }

  /** The pushed code live here, or null when the functions directory's is. */
  get deployed(): DeployedCode | null {
    return this.#deployed;
  }

  get directoryFingerprint(): string | null {
    return this.#directoryFingerprint;
  }

  /** Code loaded from the functions directory goes live, and is the directory's from now on. */
  async activateDirectory(next: Code): Promise<void> {
    await this.activate(next, null);
    this.#directoryFingerprint = directoryFingerprintOf(next.loaded);
  }

  /**
   * Makes the deployment's pushed code live here, unless it already is:
   * a push another process finished, loaded from the stored modules as it
   * was evaluated there. Code that no longer loads leaves this process's
   * code live.
   */
  async follow(
    deployed: DeployedCode | null,
    env: Readonly<Record<string, string>>,
  ): Promise<FollowResult> {
    if (deployed === null || sameDeployedCode(deployed, this.#deployed))
      return { kind: 'unchanged' };
    const loaded = await loadDeployedCode(this.#parts.store, deployed, env);
    const config = loaded.success ? appConfigOf(loaded.loaded) : loaded;
    if (!loaded.success || !config.success)
      return {
        kind: 'failed',
        error: config.success ? 'the pushed code does not load' : config.error,
      };
    await this.activate(
      { loaded: loaded.loaded, config: config.config },
      deployed,
    );
    return { kind: 'live', functions: loaded.loaded.functions.size };
  }

  /** `next` goes live; `deployed` is its record when it is pushed code. */
  async activate(next: Code, deployed: DeployedCode | null): Promise<void> {
    const { store, runner, scheduler, verifier, sync } = this.#parts;
    await applySchema(store, next.loaded.schema);
    this.#current = next;
    this.#deployed = deployed;
    runner.replaceFunctions(next.loaded);
    scheduler.replaceCrons(next.config.crons);
    verifier.replaceProviders(next.config.providers);
    sync.invalidateAll();
  }
}

/** A directory with nothing in it counts as none: it never replaces pushed code. */
export function directoryFingerprintOf(loaded: LoadedFunctions): string | null {
  return loaded.functions.size === 0 &&
    loaded.schema === null &&
    loaded.authConfig === null
    ? null
    : loaded.fingerprint;
}

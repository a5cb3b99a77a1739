/**
 * LiveCode: the code this server runs, and the one way new code replaces
 * it, whether `converge dev` reloaded the functions directory or the CLI
 * finished a push. The schema's indexes are made to match first (new ones
 * backfilled), then the runner, the crons and the identity providers are
 * swapped together, and every subscribed query reruns, so connected
 * clients see the new code's results without reconnecting. A call already
 * running finishes with the function it started.
 *
 * It also remembers the fingerprint of the functions directory being
 * served (null when there is none, or it is empty), which a push records
 * (deployed-code.ts).
 */
import type { AppConfig } from '../runtime/app-config.ts';
import { applySchema } from '../runtime/apply-schema.ts';
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

export class LiveCode {
  #current: Code;
  #directoryFingerprint: string | null;
  readonly #parts: LiveParts;

  constructor(
    current: Code,
    directoryFingerprint: string | null,
    parts: LiveParts,
  ) {
    this.#current = current;
    this.#directoryFingerprint = directoryFingerprint;
    this.#parts = parts;
  }

  get current(): Code {
    return this.#current;
  }

  get directoryFingerprint(): string | null {
    return this.#directoryFingerprint;
  }

  /** Code loaded from the functions directory goes live, and is the directory's from now on. */
  async activateDirectory(next: Code): Promise<void> {
    await this.activate(next);
    this.#directoryFingerprint = directoryFingerprintOf(next.loaded);
  }

  async activate(next: Code): Promise<void> {
    const { store, runner, scheduler, verifier, sync } = this.#parts;
    await applySchema(store, next.loaded.schema);
    this.#current = next;
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

/**
 * CodePush: how code pushed by the official Convex CLI becomes the
 * deployment's (convex-cli-and-guarantees.md §1.2-1.6), apart from the wire
 * (http/push-routes.ts). A push goes in three steps:
 *
 *   prepare ──▶ schemaStatus ──▶ finish
 *
 * - `prepare` (`evaluate_push`, `start_push`): the modules, those sent and
 *   those named by hash as unchanged, are evaluated in a fresh realm and
 *   analysed, with the auth config and crons checked; `start_push` also
 *   stores the sources sent (stored-modules.ts). Nothing live changes: the
 *   CLI's `codegen` prepares and never finishes.
 * - `schemaStatus` (`wait_for_schema`): the stored documents are checked
 *   against the new schema. Indexes are built at `finish`, so this is
 *   complete or failed, never in progress.
 * - `finish` (`finish_push`): refused when the environment variables
 *   changed since `prepare` (the CLI's RaceDetected); otherwise the record
 *   of deployed code is replaced in one commit and the code goes live;
 *   the modules only the replaced code used are deleted.
 *
 * Between the steps the server keeps nothing it could not rebuild: the CLI
 * hands back the plan (`PushPlan`) it was given, and a plan names its
 * modules by hash and its import-time clock and seed, so evaluating it
 * again gives the same code. A few recent prepared pushes are kept only to
 * avoid evaluating them twice.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { DocumentStore } from '../store/store.ts';
import { type AppConfig, appConfigOf } from './app-config.ts';
import {
  type DeployedCode,
  type ModuleEnvironment,
  type ModuleRef,
  readDeployedCode,
  writeDeployedCode,
} from './deployed-code.ts';
import { type IndexDiff, indexDiff } from './index-diff.ts';
import {
  type LoadedFunctions,
  type PushedModule,
  loadPushedModules,
} from './load-functions.ts';
import { type SchemaCheck, checkStoredDocuments } from './schema-check.ts';
import {
  type ModuleSource,
  deleteModules,
  moduleHash,
  readModules,
  saveModules,
} from './stored-modules.ts';
import { sameEnvironment } from './environment-variables.ts';
import { systemTransaction } from './system-transaction.ts';

/** A module the CLI sent whole. */
export interface SentModule extends ModuleSource {
  path: string;
  environment: ModuleEnvironment;
}

export interface PushRequest {
  changed: readonly SentModule[];
  /** Modules the CLI did not send because their hash matched the deployed one. */
  unchanged: readonly ModuleRef[];
  schema: ModuleSource | null;
  udfServerVersion: string;
}

/** A prepared push as the CLI hands it back: everything needed to evaluate it again. */
export interface PushPlan {
  pushId: string;
  modules: ModuleRef[];
  schema: ModuleRef | null;
  udfServerVersion: string;
  importNowMs: number;
  importSeed: number;
}

export interface PreparedPush {
  plan: PushPlan;
  loaded: LoadedFunctions;
  config: AppConfig;
  /** The environment variables the push was evaluated with. */
  env: Readonly<Record<string, string>>;
  indexDiff: IndexDiff;
}

/** Why a push was refused, with the code the CLI knows it by. */
export interface PushFailure {
  code: string;
  message: string;
}

export type PrepareResult =
  | { success: true; push: PreparedPush }
  | { success: false; error: PushFailure };

export interface FinishedPush {
  push: PreparedPush;
  /** The providers before, for the CLI's auth diff. */
  previousConfig: AppConfig;
  previousModules: readonly ModuleRef[];
  previousSchema: unknown;
}

export type FinishResult =
  | { success: true; finished: FinishedPush }
  | { success: false; error: PushFailure };

export interface CodePushOptions {
  store: DocumentStore;
  /** The environment variables functions see now. */
  env: () => Readonly<Record<string, string>>;
  /** The code live now, and its config. */
  live: () => { loaded: LoadedFunctions; config: AppConfig };
  /** The fingerprint of the functions directory being served, if there is one. */
  directoryFingerprint: () => string | null;
  /** Makes prepared code, just recorded as `deployed`, live in this process (indexes, runner, crons, providers, subscriptions). */
  goLive: (
    loaded: LoadedFunctions,
    config: AppConfig,
    deployed: DeployedCode,
  ) => Promise<void>;
}

/** Prepared pushes kept for their `finish`: a CLI finishes a push within seconds. */
const KEPT_PUSHES = 4;
const KEPT_MS = 10 * 60 * 1000;
const SCHEMA_PATH = 'schema.js';

export class CodePush {
  readonly #options: CodePushOptions;
  readonly #kept = new Map<string, { push: PreparedPush; at: number }>();
  /** Pushes finish one at a time, each against the code the one before left live. */
  #finishing: Promise<unknown> = Promise.resolve();

  constructor(options: CodePushOptions) {
    this.#options = options;
  }

  /** The deployed modules, for the CLI to send only what changed. */
  async deployed(): Promise<DeployedCode | null> {
    return readDeployedCode(this.#options.store);
  }

  async prepare(
    request: PushRequest,
    options: { store: boolean },
  ): Promise<PrepareResult> {
    const paths = new Set<string>();
    for (const module of [...request.changed, ...request.unchanged]) {
      if (paths.has(module.path))
        return refused(
          'InvalidModules',
          `Module ${module.path} was sent twice.`,
        );
      paths.add(module.path);
    }
    const sent = [
      ...request.changed,
      ...(request.schema ? [request.schema] : []),
    ];
    const hashes = sent.map(moduleHash);
    const plan: PushPlan = {
      pushId: randomUUID(),
      modules: [
        ...request.changed.map((m, i) => ({
          path: m.path,
          environment: m.environment,
          sha256: hashes[i] as string,
        })),
        ...request.unchanged.map((m) => ({ ...m })),
      ],
      schema: request.schema
        ? {
            path: SCHEMA_PATH,
            environment: 'isolate',
            sha256: hashes[request.changed.length] as string,
          }
        : null,
      udfServerVersion: request.udfServerVersion,
      importNowMs: Date.now(),
      // A 31-bit seed, as the realm's seeded generator takes it.
      importSeed: randomInt(2 ** 31),
    };
    const sources = new Map<string, ModuleSource>();
    sent.forEach((module, i) => sources.set(hashes[i] as string, module));
    const prepared = await this.#evaluate(plan, sources);
    if (!prepared.success) return prepared;
    // Stored only once they evaluate: a broken push leaves nothing behind. A
    // dry run stores nothing, and is kept here for its schema check alone.
    if (options.store) await saveModules(this.#options.store, sent, hashes);
    this.#keep(prepared.push);
    return prepared;
  }

  /** Whether the stored documents satisfy the plan's schema. */
  async schemaStatus(
    plan: PushPlan,
  ): Promise<
    | { success: true; check: SchemaCheck }
    | { success: false; error: PushFailure }
  > {
    const prepared = await this.#prepared(plan);
    if (!prepared.success) return prepared;
    return {
      success: true,
      check: await checkStoredDocuments(
        this.#options.store,
        prepared.push.loaded.schema,
        this.#options.live().loaded.schema,
      ),
    };
  }

  /**
   * Makes the plan the deployment's code, unless the environment variables
   * are no longer `envAtStart` or the stored documents do not satisfy its
   * schema. Pushes finish one at a time.
   */
  /** Resolves once the pushes finishing now are done, whatever their outcome. */
  async settled(): Promise<void> {
    await this.#finishing;
  }

  finish(
    plan: PushPlan,
    envAtStart: Readonly<Record<string, string>>,
  ): Promise<FinishResult> {
    const run = this.#finishing.then(() => this.#finish(plan, envAtStart));
    this.#finishing = run.catch(() => undefined);
    return run;
  }

  async #finish(
    plan: PushPlan,
    envAtStart: Readonly<Record<string, string>>,
  ): Promise<FinishResult> {
    if (!sameEnvironment(envAtStart, this.#options.env()))
      return refused(
        'RaceDetected',
        'The environment variables changed during the push: push again.',
      );
    const prepared = await this.#prepared(plan);
    if (!prepared.success) return prepared;
    const { push } = prepared;
    const live = this.#options.live();
    const check = await checkStoredDocuments(
      this.#options.store,
      push.loaded.schema,
      live.loaded.schema,
    );
    if (!check.success) return refused('SchemaValidationFailed', check.error);
    const previous = await readDeployedCode(this.#options.store);
    const deployed: DeployedCode = {
      modules: plan.modules,
      schema: plan.schema,
      udfServerVersion: plan.udfServerVersion,
      importNowMs: plan.importNowMs,
      importSeed: plan.importSeed,
      directoryFingerprint: this.#options.directoryFingerprint(),
    };
    await systemTransaction(this.#options.store, (tx) =>
      writeDeployedCode(tx, deployed),
    );
    await this.#options.goLive(push.loaded, push.config, deployed);
    this.#kept.delete(plan.pushId);
    // The modules only the replaced code used, unless a push in flight
    // names them too (one prepared elsewhere finds them gone: push again).
    const used = new Set(
      [plan, ...[...this.#kept.values()].map((k) => k.push.plan)]
        .flatMap((p) => [...p.modules, ...(p.schema ? [p.schema] : [])])
        .map((m) => m.sha256),
    );
    await deleteModules(
      this.#options.store,
      [
        ...(previous?.modules ?? []),
        ...(previous?.schema ? [previous.schema] : []),
      ]
        .map((m) => m.sha256)
        .filter((hash) => !used.has(hash)),
    );
    return {
      success: true,
      finished: {
        push: {
          ...push,
          indexDiff: indexDiff(live.loaded.schema, push.loaded.schema),
        },
        previousConfig: live.config,
        previousModules: previous?.modules ?? [],
        previousSchema: live.loaded.schema,
      },
    };
  }

  /** A plan prepared here lately, or evaluated again from the stored modules. */
  async #prepared(plan: PushPlan): Promise<PrepareResult> {
    const kept = this.#kept.get(plan.pushId);
    if (kept) return { success: true, push: kept.push };
    const hashes = [...plan.modules, ...(plan.schema ? [plan.schema] : [])].map(
      (m) => m.sha256,
    );
    const sources = await readModules(this.#options.store, hashes);
    if (sources === null)
      return refused(
        'ModulesNotFound',
        'Some modules of this push are not stored on this deployment: push again.',
      );
    const prepared = await this.#evaluate(plan, sources);
    if (prepared.success) this.#keep(prepared.push);
    return prepared;
  }

  async #evaluate(
    plan: PushPlan,
    sent: ReadonlyMap<string, ModuleSource>,
  ): Promise<PrepareResult> {
    const missing = [...plan.modules, ...(plan.schema ? [plan.schema] : [])]
      .map((m) => m.sha256)
      .filter((hash) => !sent.has(hash));
    const stored =
      missing.length === 0
        ? new Map<string, ModuleSource>()
        : await readModules(this.#options.store, missing);
    if (stored === null)
      return refused(
        'ModulesNotFound',
        'The push names unchanged modules this deployment does not have: push all modules again (npx convex deploy --push-all-modules).',
      );
    const source = (ref: ModuleRef): PushedModule => {
      const module = sent.get(ref.sha256) ?? stored.get(ref.sha256);
      return {
        path: ref.path,
        source: module?.source ?? '',
        sourceMap: module?.sourceMap,
      };
    };
    const env = this.#options.env();
    const unset: string[] = [];
    const loaded = await loadPushedModules(
      plan.modules.map(source),
      plan.schema ? source(plan.schema) : null,
      {
        env: recordingUnset(env, unset),
        nowMs: plan.importNowMs,
        seed: plan.importSeed,
      },
    );
    if (!loaded.success) return refused('InvalidModules', loaded.error);
    const config = appConfigOf(loaded.loaded);
    if (!config.success) {
      const name = unset[0];
      return name !== undefined && config.error.startsWith('auth.config.ts')
        ? refused(
            'AuthConfigMissingEnvironmentVariable',
            `Environment variable ${name} is used in auth config file but its value was not set. Go to the deployment's environment variables to set it (npx convex env set ${name} <value>).`,
          )
        : refused('InvalidConfig', config.error);
    }
    return {
      success: true,
      push: {
        plan,
        loaded: loaded.loaded,
        config: config.config,
        env,
        indexDiff: indexDiff(
          this.#options.live().loaded.schema,
          loaded.loaded.schema,
        ),
      },
    };
  }

  #keep(push: PreparedPush): void {
    const now = Date.now();
    for (const [id, kept] of this.#kept)
      if (now - kept.at > KEPT_MS) this.#kept.delete(id);
    this.#kept.set(push.plan.pushId, { push, at: now });
    for (const id of this.#kept.keys()) {
      if (this.#kept.size <= KEPT_PUSHES) break;
      this.#kept.delete(id);
    }
  }
}

function refused(
  code: string,
  message: string,
): { success: false; error: PushFailure } {
  return { success: false, error: { code, message } };
}

/** The environment, noting every variable import-time code asked for and found unset. */
function recordingUnset(
  env: Readonly<Record<string, string>>,
  unset: string[],
): Readonly<Record<string, string>> {
  return new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string' && !(key in target) && !unset.includes(key))
        unset.push(key);
      return typeof key === 'string' ? target[key] : undefined;
    },
  });
}

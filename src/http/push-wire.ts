/**
 * The push API's bodies as the official CLI sends and reads them
 * (convex-cli-and-guarantees.md §1.3; the CLI's zod schemas in convex-js
 * `src/cli/lib/deployApi/`): the StartPushRequest read into a
 * `PushRequest`, and the StartPushResponse and FinishPushDiff written from
 * what the runtime decided. The CLI parses every response object loosely,
 * so each carries what it reads and nothing needs to be invented; the
 * root component's key `""` is always there, and index diffs always have
 * both arrays (the CLI reads their lengths).
 *
 * The plan the runtime needs back at `wait_for_schema` and `finish_push`
 * travels in `schemaChange.schemaIds`, which the CLI treats as opaque and
 * sends back in both.
 */
import { convexToJson } from 'convex/values';
import type { AppConfig } from '../runtime/app-config.ts';
import type {
  FinishedPush,
  PreparedPush,
  PushPlan,
  PushRequest,
  SentModule,
} from '../runtime/code-push.ts';
import type { ModuleRef } from '../runtime/deployed-code.ts';
import type { IndexConfig, IndexDiff } from '../runtime/index-diff.ts';
import type { JsonObject } from './json-body.ts';

export type WireResult<T> =
  { success: true; value: T } | { success: false; error: string };

/** A module path as the CLI writes one: relative, `/`-separated, `.js`. */
const MODULE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\\]+\.js$/;

export function pushRequestOf(body: JsonObject): WireResult<PushRequest> {
  const app = body['appDefinition'];
  if (!isObject(app))
    return failure('Expected `appDefinition`: an object, as the CLI sends it.');
  const components = body['componentDefinitions'];
  if (Array.isArray(components) && components.length > 0)
    return failure(
      'This deployment does not run Convex components yet: push an app without `convex.config.ts` components.',
    );
  const changed: SentModule[] = [];
  for (const item of arrayOf(app['changedModules'])) {
    const module = moduleOf(item);
    if (!module.success) return module;
    changed.push(module.value);
  }
  const unchanged: ModuleRef[] = [];
  for (const item of arrayOf(app['unchangedModuleHashes'])) {
    if (
      !isObject(item) ||
      typeof item['path'] !== 'string' ||
      typeof item['sha256'] !== 'string' ||
      !MODULE_PATH.test(item['path'])
    )
      return failure(
        'Expected `unchangedModuleHashes`: `{path, environment, sha256}` for each module.',
      );
    unchanged.push({
      path: item['path'],
      environment: item['environment'] === 'node' ? 'node' : 'isolate',
      sha256: item['sha256'].toLowerCase(),
    });
  }
  let schema: PushRequest['schema'] = null;
  if (app['schema'] !== null && app['schema'] !== undefined) {
    const module = moduleOf(app['schema']);
    if (!module.success) return module;
    schema = module.value;
  }
  const version = app['udfServerVersion'];
  return {
    success: true,
    value: {
      changed,
      unchanged,
      schema,
      udfServerVersion: typeof version === 'string' ? version : '',
    },
  };
}

/** The plan handed back in `schemaChange.schemaIds`, or null when it is not one of ours. */
export function pushPlanOf(schemaChange: unknown): PushPlan | null {
  if (!isObject(schemaChange)) return null;
  const ids = schemaChange['schemaIds'];
  if (!isObject(ids)) return null;
  const plan = ids['converge'];
  if (
    !isObject(plan) ||
    typeof plan['pushId'] !== 'string' ||
    !Array.isArray(plan['modules']) ||
    typeof plan['importNowMs'] !== 'number' ||
    typeof plan['importSeed'] !== 'number'
  )
    return null;
  const refs: ModuleRef[] = [];
  for (const item of plan['modules']) {
    const ref = refOf(item);
    if (ref === null) return null;
    refs.push(ref);
  }
  const schemaValue = plan['schema'];
  const schema =
    schemaValue === null || schemaValue === undefined
      ? null
      : refOf(schemaValue);
  if (schema === null && schemaValue !== null && schemaValue !== undefined)
    return null;
  return {
    pushId: plan['pushId'],
    modules: refs,
    schema,
    udfServerVersion:
      typeof plan['udfServerVersion'] === 'string'
        ? plan['udfServerVersion']
        : '',
    importNowMs: plan['importNowMs'],
    importSeed: plan['importSeed'],
  };
}

export function schemaChangeOf(push: PreparedPush): JsonObject {
  return {
    allocatedComponentIds: null,
    schemaIds: { converge: planJson(push.plan) },
    indexDiffs: { '': indexDiffJson(push.indexDiff) },
  };
}

export function startPushResponse(push: PreparedPush): JsonObject {
  const { loaded, plan } = push;
  const modules: JsonObject = {};
  for (const ref of plan.modules) {
    if (ref.path.startsWith('_deps/') || ref.path === 'auth.config.js')
      continue;
    modules[ref.path] = {
      functions: [],
      httpRoutes: null,
      cronSpecs: null,
      sourceMapped: null,
    };
  }
  for (const fn of loaded.functions.values()) {
    if (fn.kind === 'httpAction') continue;
    const [module = '', name = 'default'] = fn.path.split(':');
    const analysed = modules[`${module}.js`];
    if (!isObject(analysed)) continue;
    (analysed['functions'] as JsonObject[]).push({
      name,
      pos: null,
      udfType:
        fn.kind === 'query'
          ? 'Query'
          : fn.kind === 'mutation'
            ? 'Mutation'
            : 'Action',
      visibility: { kind: fn.visibility },
      args: fn.args === null ? null : JSON.stringify(fn.args),
      returns: fn.returns === null ? null : JSON.stringify(fn.returns),
    });
  }
  const routes = httpRoutesOf(loaded.httpRouter);
  return {
    environmentVariables: { ...push.env },
    externalDepsId: null,
    componentDefinitionPackages: {},
    appAuth: providersJson(push.config),
    analysis: {
      '': {
        definition: {
          path: '',
          definitionType: { type: 'app' },
          childComponents: [],
          httpMounts: {},
          exports: { type: 'branch', branch: [] },
          envVars: null,
        },
        schema: (loaded.schema ?? null) as JsonObject | null,
        functions: modules,
        udfConfig: {
          serverVersion: plan.udfServerVersion,
          importPhaseRngSeed: convexToJson(seedBytes(plan.importSeed)),
          importPhaseUnixTimestamp: convexToJson(BigInt(plan.importNowMs)),
        },
      },
    },
    app: {
      definitionPath: '',
      componentPath: '',
      args: {},
      childComponents: {},
      httpRoutes: { httpModuleRoutes: routes, mounts: [] },
      exports: {},
    },
    schemaChange: schemaChangeOf(push),
  };
}

export function finishPushDiff(finished: FinishedPush): JsonObject {
  const { push, previousConfig, previousModules, previousSchema } = finished;
  const before = new Set(providerNames(previousConfig));
  const after = new Set(providerNames(push.config));
  const pathsBefore = new Set(previousModules.map((m) => m.path));
  const pathsAfter = new Set(push.plan.modules.map((m) => m.path));
  const cronsBefore = new Map(
    previousConfig.crons.map((c) => [c.identifier, JSON.stringify(c)]),
  );
  const cronsAfter = new Map(
    push.config.crons.map((c) => [c.identifier, JSON.stringify(c)]),
  );
  const schemaJson = (schema: unknown): string | null =>
    schema === null || schema === undefined ? null : JSON.stringify(schema);
  return {
    authDiff: {
      added: [...after].filter((p) => !before.has(p)),
      removed: [...before].filter((p) => !after.has(p)),
    },
    definitionDiffs: {},
    componentDiffs: {
      '': {
        diffType: { type: previousModules.length === 0 ? 'create' : 'modify' },
        moduleDiff: {
          added: [...pathsAfter].filter((p) => !pathsBefore.has(p)),
          removed: [...pathsBefore].filter((p) => !pathsAfter.has(p)),
        },
        udfConfigDiff: null,
        cronDiff: {
          added: [...cronsAfter.keys()].filter((c) => !cronsBefore.has(c)),
          updated: [...cronsAfter]
            .filter(
              ([c, spec]) => cronsBefore.has(c) && cronsBefore.get(c) !== spec,
            )
            .map(([c]) => c),
          deleted: [...cronsBefore.keys()].filter((c) => !cronsAfter.has(c)),
        },
        indexDiff: indexDiffJson(push.indexDiff),
        schemaDiff: {
          previous_schema: schemaJson(previousSchema),
          next_schema: schemaJson(push.loaded.schema),
        },
      },
    },
  };
}

/** `{functions, moduleHashes}` for `get_config_hashes`, from the deployed modules. */
export function configHashes(
  modules: readonly ModuleRef[],
  udfServerVersion: string | null,
): JsonObject {
  return {
    config: { functions: 'convex/' },
    moduleHashes: modules.map((m) => ({
      path: m.path,
      hash: m.sha256,
      environment: m.environment,
    })),
    nodeDependencies: [],
    ...(udfServerVersion ? { udfServerVersion } : {}),
  };
}

function moduleOf(value: unknown): WireResult<SentModule> {
  if (
    !isObject(value) ||
    typeof value['path'] !== 'string' ||
    typeof value['source'] !== 'string' ||
    (value['sourceMap'] !== undefined &&
      value['sourceMap'] !== null &&
      typeof value['sourceMap'] !== 'string')
  )
    return failure(
      'Expected a module: `{path, source, sourceMap?, environment}` with string fields.',
    );
  if (!MODULE_PATH.test(value['path']))
    return failure(
      `Invalid module path "${value['path']}": a relative path ending in .js.`,
    );
  const sourceMap = value['sourceMap'];
  return {
    success: true,
    value: {
      path: value['path'],
      source: value['source'],
      ...(typeof sourceMap === 'string' ? { sourceMap } : {}),
      environment: value['environment'] === 'node' ? 'node' : 'isolate',
    },
  };
}

function refOf(value: unknown): ModuleRef | null {
  if (
    !isObject(value) ||
    typeof value['path'] !== 'string' ||
    typeof value['sha256'] !== 'string'
  )
    return null;
  return {
    path: value['path'],
    environment: value['environment'] === 'node' ? 'node' : 'isolate',
    sha256: value['sha256'],
  };
}

function planJson(plan: PushPlan): JsonObject {
  const ref = (r: ModuleRef): JsonObject => ({
    path: r.path,
    environment: r.environment,
    sha256: r.sha256,
  });
  return {
    pushId: plan.pushId,
    modules: plan.modules.map(ref),
    schema: plan.schema === null ? null : ref(plan.schema),
    udfServerVersion: plan.udfServerVersion,
    importNowMs: plan.importNowMs,
    importSeed: plan.importSeed,
  };
}

function indexDiffJson(diff: IndexDiff): JsonObject {
  const index = (i: IndexConfig): JsonObject => ({ ...i });
  return {
    added_indexes: diff.added.map(index),
    removed_indexes: diff.removed.map(index),
  };
}

/** The providers as `auth.config.ts` wrote them, which the CLI shows and checks. */
function providersJson(config: AppConfig): JsonObject[] {
  return config.providers.map((p) =>
    p.type === 'oidc'
      ? { applicationID: p.applicationID, domain: p.domain }
      : {
          type: 'customJwt',
          applicationID: p.applicationID,
          issuer: p.issuer,
          jwks:
            p.jwks.kind === 'url'
              ? p.jwks.url
              : p.jwks.kind === 'data'
                ? p.jwks.uri
                : p.jwks.path,
          algorithm: p.algorithm,
        },
  );
}

function providerNames(config: AppConfig): string[] {
  return config.providers.map((p) => (p.type === 'oidc' ? p.domain : p.issuer));
}

/** `http.js`'s routes as `[{method, path}]`, or null without a router. */
function httpRoutesOf(router: unknown): JsonObject[] | null {
  if (!isObject(router)) return null;
  const getRoutes = router['getRoutes'];
  if (typeof getRoutes !== 'function') return [];
  const routes = (getRoutes as () => unknown).call(router);
  return Array.isArray(routes)
    ? routes
        .filter((r): r is [string, string, ...unknown[]] => Array.isArray(r))
        .map(([path, method]) => ({
          method: String(method),
          path: String(path),
        }))
    : [];
}

function seedBytes(seed: number): ArrayBuffer {
  const bytes = new ArrayBuffer(4);
  new DataView(bytes).setUint32(0, seed);
  return bytes;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(error: string): { success: false; error: string } {
  return { success: false, error };
}

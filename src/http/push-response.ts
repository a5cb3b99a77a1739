/**
 * The push API's responses as the official CLI reads them
 * (convex-cli-and-guarantees.md §1.3; the CLI's zod schemas in convex-js
 * `src/cli/lib/deployApi/`): the StartPushResponse, the FinishPushDiff and
 * the config hashes, written from what the runtime decided. The CLI parses
 * every response object loosely, so each carries what it reads and nothing
 * needs to be invented; the root component's key `""` is always there, and
 * index diffs always have both arrays (the CLI reads their lengths).
 *
 * The plan the runtime needs back travels in `schemaChange.schemaIds`,
 * which the CLI treats as opaque and sends back (push-request.ts).
 */
import { convexToJson } from 'convex/values';
import type { AppConfig } from '../runtime/app-config.ts';
import type {
  FinishedPush,
  PreparedPush,
  PushPlan,
} from '../runtime/code-push.ts';
import type { ModuleRef } from '../runtime/deployed-code.ts';
import type { IndexConfig, IndexDiff } from '../runtime/index-diff.ts';
import type { JsonObject } from './json-body.ts';
import { isObject } from './push-request.ts';

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

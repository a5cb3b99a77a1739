/**
 * The push API's request bodies as the official CLI sends them
 * (convex-cli-and-guarantees.md §1.3; the CLI's zod schemas in convex-js
 * `src/cli/lib/deployApi/`): a StartPushRequest read into a `PushRequest`,
 * and the plan the runtime handed out at `start_push`, which the CLI sends
 * back in `schemaChange.schemaIds` at `wait_for_schema` and `finish_push`
 * (push-response.ts puts it there). A body that is not what the CLI sends
 * is an error naming the field, never a throw.
 */
import type {
  PushPlan,
  PushRequest,
  SentModule,
} from '../runtime/code-push.ts';
import type { ModuleRef } from '../runtime/deployed-code.ts';
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

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(error: string): { success: false; error: string } {
  return { success: false, error };
}

/**
 * Loads a Convex app into a user realm and analyses it, as a Convex push
 * does. The app is a functions directory (`converge serve --functions`) or
 * the modules a CLI pushed (`loadPushedModules`). Analysis finds every
 * export that `convex/server` registered, with its kind (from the `isQuery`
 * / `isMutation` / `isAction` / `isHttp` flags), its visibility (`isPublic`
 * / `isInternal`) and its validators (`exportArgs()`, `exportReturns()`);
 * the schema (`export()`), the auth config, the HTTP router and the crons.
 *
 * Import-time code runs once, in the realm, with a fixed clock and seeded
 * randomness; database access at import time fails.
 */
import { createHash } from 'node:crypto';
import {
  type BundleSource,
  type ModuleText,
  BUNDLE_ENTRY,
  BUNDLE_GLOBAL,
  bundleFunctions,
} from './bundle-functions.ts';
import { withBundlerService } from './bundler-service.ts';
import type { FunctionKind } from './execution.ts';
import { discoverFunctions } from './module-discovery.ts';
import { seededRandom } from './seeded-random.ts';
import { canonicalUdfPath } from './udf-path.ts';
import { userStack } from './user-stack.ts';
import type { ValidatorJson } from './validator.ts';
import {
  type ImportExecution,
  type UserRealm,
  createUserRealm,
} from './user-realm.ts';

/** A function object as `convex/server` builds it, seen from the host. */
export interface UserFunction {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  invokeQuery?(args: string): Promise<string>;
  invokeMutation?(args: string): Promise<string>;
  invokeAction?(requestId: string, args: string): Promise<string>;
  invokeHttpAction?(request: Request): Promise<Response>;
  exportArgs?(): string;
  exportReturns?(): string;
}

export interface FunctionDefinition {
  /** `module:name`, as canonicalUdfPath spells it. */
  path: string;
  kind: FunctionKind;
  visibility: 'public' | 'internal';
  /** The validator JSON of `exportArgs()`; null when the export has none. */
  args: ValidatorJson | null;
  returns: ValidatorJson | null;
  handle: UserFunction;
}

export interface LoadedFunctions {
  realm: UserRealm;
  functions: Map<string, FunctionDefinition>;
  /** `defineSchema(...).export()`, parsed; null without a schema. */
  schema: unknown;
  authConfig: unknown;
  httpRouter: unknown;
  crons: unknown;
  /** The SHA-256 of the bundled script, in hex: two loads with the same one run the same code. */
  fingerprint: string;
}

export type LoadResult =
  | { success: true; loaded: LoadedFunctions }
  | { success: false; error: string };

export interface LoadOptions {
  /** The deployment's environment variables. */
  env?: Readonly<Record<string, string>>;
  /** The frozen time of import-time code. */
  nowMs?: number;
  /** The seed of import-time randomness. */
  seed?: number;
}

interface BundleExports {
  modules: Record<string, Record<string, unknown>>;
  schemaModule?: { default?: { export?: () => string } };
  authConfigModule?: { default?: unknown };
}

/** A directory that does not exist is an app with no functions: code may still be pushed. */
export async function loadFunctions(
  dir: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const found = await discoverFunctions(dir);
  return loadBundle({ kind: 'directory', dir, found }, options);
}

/** A pushed module: a path such as `messages.js` or `_deps/X.js`, its source and the CLI's source map of it. */
export interface PushedModule extends ModuleText {
  path: string;
}

/**
 * Loads the modules a CLI pushed: every module not under `_deps/` is a
 * function module, except `auth.config.js`, the auth config; the schema
 * comes on its own.
 */
export async function loadPushedModules(
  modules: readonly PushedModule[],
  schema: PushedModule | null,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const files = new Map<string, ModuleText>(modules.map((m) => [m.path, m]));
  if (schema) files.set(SCHEMA_PATH, schema);
  const entries = modules
    .map((m) => m.path)
    .filter(
      (path) =>
        !path.startsWith('_deps/') &&
        path !== AUTH_CONFIG_PATH &&
        path !== SCHEMA_PATH,
    )
    .sort();
  return loadBundle(
    {
      kind: 'modules',
      files,
      found: {
        modules: entries,
        schema: schema ? SCHEMA_PATH : undefined,
        authConfig: files.has(AUTH_CONFIG_PATH) ? AUTH_CONFIG_PATH : undefined,
      },
    },
    options,
  );
}

/** Where a pushed app's schema and auth config are, as the CLI names them. */
const SCHEMA_PATH = 'schema.js';
const AUTH_CONFIG_PATH = 'auth.config.js';
/** The name the realm runs the bundle under, which its stack frames carry. */
const BUNDLE_FILENAME = 'converge:functions';

async function loadBundle(
  source: BundleSource,
  options: LoadOptions,
): Promise<LoadResult> {
  const bundled = await withBundlerService(() => bundleFunctions(source));
  if (!bundled.success)
    return { success: false, error: `Bundling failed:\n${bundled.error}` };

  const nowMs = options.nowMs ?? Date.now();
  const importError = (): never => {
    throw new Error("Can't use database at import time");
  };
  const importExecution: ImportExecution = {
    kind: 'import',
    now: () => nowMs,
    random: seededRandom(options.seed ?? nowMs),
    logLines: [],
    env: options.env ?? {},
    syscall: importError,
    asyncSyscall: importError,
    jsSyscall: importError,
  };
  const realm = createUserRealm(importExecution);
  let exports: BundleExports;
  try {
    exports = realm.runBody(
      `${bundled.code}\nreturn ${BUNDLE_GLOBAL};`,
      BUNDLE_FILENAME,
    ) as BundleExports;
  } catch (error) {
    return {
      success: false,
      error: `Loading the functions failed: ${await describe(error, source)}`,
    };
  }

  const functions = new Map<string, FunctionDefinition>();
  let httpRouter: unknown = null;
  let crons: unknown = null;
  try {
    for (const [module, namespace] of Object.entries(exports.modules)) {
      for (const [name, value] of Object.entries(namespace)) {
        if (
          module === 'http' &&
          name === 'default' &&
          isFlagged(value, 'isRouter')
        )
          httpRouter = value;
        if (
          module === 'crons' &&
          name === 'default' &&
          isFlagged(value, 'isCrons')
        )
          crons = value;
        const definition = analyse(canonicalUdfPath({ module, name }), value);
        if (definition) functions.set(definition.path, definition);
      }
    }
    const schemaJson = exports.schemaModule?.default?.export?.();
    return {
      success: true,
      loaded: {
        realm,
        functions,
        schema:
          schemaJson === undefined ? null : (JSON.parse(schemaJson) as unknown),
        authConfig: exports.authConfigModule?.default ?? null,
        httpRouter,
        crons,
        fingerprint: createHash('sha256').update(bundled.code).digest('hex'),
      },
    };
  } catch (error) {
    return {
      success: false,
      error: `Analysing the functions failed: ${await describe(error, source)}`,
    };
  }
}

function analyse(path: string, value: unknown): FunctionDefinition | null {
  if (typeof value !== 'function') return null;
  const fn = value as UserFunction;
  const kind: FunctionKind | null = fn.isQuery
    ? 'query'
    : fn.isMutation
      ? 'mutation'
      : fn.isAction
        ? 'action'
        : fn.isHttp
          ? 'httpAction'
          : null;
  if (!kind) return null;
  const parse = (json: string | undefined): ValidatorJson | null =>
    json === undefined ? null : (JSON.parse(json) as ValidatorJson | null);
  return {
    path,
    kind,
    visibility: fn.isInternal ? 'internal' : 'public',
    args: parse(fn.exportArgs?.()),
    returns: parse(fn.exportReturns?.()),
    handle: fn,
  };
}

function isFlagged(value: unknown, flag: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[flag] === true
  );
}

/**
 * What the app's code threw, with the stack through the app's own files:
 * the bundle is made again with a source map (only now, since loads that
 * fail are rare and the map is large), and the same code as the one that ran.
 */
async function describe(error: unknown, source: BundleSource): Promise<string> {
  if (!(error instanceof Error)) return String(error);
  if (error.stack === undefined) return `${error.name}: ${error.message}`;
  const mapped = await withBundlerService(() =>
    bundleFunctions(source, { sourceMap: true }),
  );
  return userStack(
    error.stack,
    BUNDLE_FILENAME,
    mapped.success ? (mapped.sourceMap ?? null) : null,
    BUNDLE_ENTRY,
  );
}

/**
 * Bundles a Convex app's modules with esbuild into one script for the user
 * realm: every module, the schema and the auth config behind a single entry,
 * so they share one copy of `convex/server`.
 *
 * The modules come from one of two places:
 * - a functions directory, bundled as the Convex CLI does (esm semantics,
 *   `conditions: ["convex", "module"]`, browser platform, automatic JSX).
 *   `convex` resolves from the app's own `node_modules` when it has one,
 *   which keeps the syscall arguments those of the app's version; otherwise
 *   from the server's copy. `node:async_hooks` is the realm's
 *   AsyncLocalStorage, as the CLI shims it;
 * - the modules a CLI pushed (convex-cli-and-guarantees.md §1.4): already
 *   bundled ES modules that import each other's chunks (`./_deps/X.js`) by
 *   relative path, served to esbuild from memory. They may import nothing
 *   else: the CLI bundled every package into them.
 *
 * A bundle is made without a source map, except when asked for one (to
 * show where code that failed at import came from): its code is the same
 * either way, so positions in one are positions in the other. The source
 * map of pushed modules goes through the CLI's own maps to the files the
 * app's author wrote, named as the CLI names them (`../convex/x.ts`); a
 * directory's names its files relative to the directory.
 */
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { type Plugin, build } from 'esbuild';
import { type FunctionsDirectory, modulePathOf } from './module-discovery.ts';

/** The global the bundle assigns its exports to. */
export const BUNDLE_GLOBAL = '__convergeFunctions';
/** The bundle's entry, which imports every module, as its source map names it. */
export const BUNDLE_ENTRY = 'converge-entry.js';

/** A module as the CLI bundled it, with the source map it sent, if any. */
export interface ModuleText {
  source: string;
  sourceMap?: string | undefined;
}

/** Where a bundle's modules come from. */
export type BundleSource =
  | { kind: 'directory'; dir: string; found: FunctionsDirectory }
  | {
      kind: 'modules';
      /** Module path (`messages.js`, `_deps/X.js`) → module. */
      files: ReadonlyMap<string, ModuleText>;
      found: FunctionsDirectory;
    };

/**
 * The folder the server's own `convex` is installed in: found by resolving
 * it, not by this module's depth, which differs when the server runs as one
 * bundled file.
 */
const serverNodeModules = dirname(
  dirname(createRequire(import.meta.url).resolve('convex/package.json')),
);

const asyncHooksShim: Plugin = {
  name: 'converge-async-hooks',
  setup(b) {
    b.onResolve({ filter: /^(?:node:)?async_hooks$/ }, () => ({
      path: 'async_hooks',
      namespace: 'converge',
    }));
    b.onLoad({ filter: /.*/, namespace: 'converge' }, () => ({
      contents:
        'export const AsyncLocalStorage = globalThis.AsyncLocalStorage;',
      loader: 'js',
    }));
  },
};

const PUSHED = 'pushed';
/** A source map comment at a module's end, which names a file the CLI did not send. */
const SOURCE_MAP_COMMENT = /\n\/\/# sourceMappingURL=[^\n]*\s*$/;

/**
 * Pushed modules served from memory; a specifier that is not one of them
 * fails the bundle. With `sourceMaps`, each carries the map the CLI sent
 * inline, where esbuild reads it.
 */
function pushedModules(
  files: ReadonlyMap<string, ModuleText>,
  sourceMaps: boolean,
): Plugin {
  return {
    name: 'converge-pushed-modules',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!args.path.startsWith('./') && !args.path.startsWith('../'))
          return {
            errors: [
              {
                text: `${args.importer || 'the entry'} imports "${args.path}", which is not one of the pushed modules: this server runs only modules bundled for the Convex runtime`,
              },
            ],
          };
        const from =
          args.namespace === PUSHED ? posix.dirname(args.importer) : '.';
        return { path: posix.join(from, args.path), namespace: PUSHED };
      });
      b.onLoad({ filter: /.*/, namespace: PUSHED }, (args) => {
        const module = files.get(args.path);
        if (module === undefined)
          return { errors: [{ text: `no pushed module ${args.path}` }] };
        const { source, sourceMap } = module;
        const map =
          sourceMaps && sourceMap !== undefined
            ? sourcesFromRoot(sourceMap, posix.dirname(args.path))
            : null;
        return {
          contents:
            map === null
              ? source
              : `${source.replace(SOURCE_MAP_COMMENT, '')}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * A module's source map with its sources named from the root of the pushed
 * modules rather than from the module's folder (`_deps/X.js` names
 * `../../convex/x.ts`, which is `../convex/x.ts` from the root), since
 * esbuild keeps the names of a module it did not read from a file as they
 * are. Null when the map is not one.
 */
function sourcesFromRoot(sourceMap: string, folder: string): string | null {
  let map: unknown;
  try {
    map = JSON.parse(sourceMap);
  } catch {
    return null;
  }
  if (typeof map !== 'object' || map === null) return null;
  const { sources, sourceRoot } = map as {
    sources?: unknown;
    sourceRoot?: unknown;
  };
  if (!Array.isArray(sources)) return null;
  const root = posix.join(
    folder,
    typeof sourceRoot === 'string' ? sourceRoot : '',
  );
  return JSON.stringify({
    ...map,
    sourceRoot: undefined,
    sources: sources.map((name: unknown) =>
      typeof name === 'string' && !posix.isAbsolute(name) && !/^\w+:/.test(name)
        ? posix.join(root, name)
        : name,
    ),
  });
}

export type BundleResult =
  | { success: true; code: string; sourceMap?: string }
  | { success: false; error: string };

/** The file a bundle's source map is made for: its sources are named relative to it. */
const BUNDLE_FILE = 'converge-functions.js';

export async function bundleFunctions(
  source: BundleSource,
  options: { sourceMap?: boolean } = {},
): Promise<BundleResult> {
  const sourceMap = options.sourceMap === true;
  const { found } = source;
  const lines: string[] = [];
  const entries: string[] = [];
  found.modules.forEach((file, i) => {
    lines.push(`import * as m${i} from ${JSON.stringify(`./${file}`)};`);
    entries.push(`${JSON.stringify(modulePathOf(file))}: m${i}`);
  });
  if (found.schema)
    lines.push(
      `import * as schema from ${JSON.stringify(`./${found.schema}`)};`,
    );
  if (found.authConfig)
    lines.push(
      `import * as authConfig from ${JSON.stringify(`./${found.authConfig}`)};`,
    );
  lines.push(`export const modules = { ${entries.join(', ')} };`);
  lines.push(
    `export const schemaModule = ${found.schema ? 'schema' : 'undefined'};`,
  );
  lines.push(
    `export const authConfigModule = ${found.authConfig ? 'authConfig' : 'undefined'};`,
  );

  try {
    const result = await build({
      stdin: {
        contents: lines.join('\n'),
        resolveDir: source.kind === 'directory' ? source.dir : '/',
        sourcefile: BUNDLE_ENTRY,
        loader: 'js',
      },
      bundle: true,
      write: false,
      format: 'iife',
      globalName: BUNDLE_GLOBAL,
      platform: 'browser',
      target: 'es2022',
      conditions: ['convex', 'module'],
      jsx: 'automatic',
      logLevel: 'silent',
      ...(sourceMap
        ? {
            sourcemap: 'external',
            outfile:
              source.kind === 'directory'
                ? join(source.dir, BUNDLE_FILE)
                : `/${BUNDLE_FILE}`,
          }
        : {}),
      ...(source.kind === 'directory'
        ? {
            nodePaths: [serverNodeModules, join(source.dir, 'node_modules')],
            plugins: [asyncHooksShim],
          }
        : { plugins: [pushedModules(source.files, sourceMap)] }),
    });
    const output = result.outputFiles.find((f) => !f.path.endsWith('.map'));
    if (!output) return { success: false, error: 'esbuild produced no output' };
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    return {
      success: true,
      code: output.text,
      ...(map ? { sourceMap: map.text } : {}),
    };
  } catch (error) {
    const failure = error as {
      errors?: {
        text: string;
        location?: { file: string; line: number } | null;
      }[];
    };
    const messages = (failure.errors ?? []).map(
      (e) =>
        `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`,
    );
    return { success: false, error: messages.join('\n') || String(error) };
  }
}

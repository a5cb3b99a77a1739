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
 */
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { type Plugin, build } from 'esbuild';
import { type FunctionsDirectory, modulePathOf } from './module-discovery.ts';

/** The global the bundle assigns its exports to. */
export const BUNDLE_GLOBAL = '__convergeFunctions';

/** Where a bundle's modules come from. */
export type BundleSource =
  | { kind: 'directory'; dir: string; found: FunctionsDirectory }
  | {
      kind: 'modules';
      /** Module path (`messages.js`, `_deps/X.js`) → source. */
      files: ReadonlyMap<string, string>;
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

/** Pushed modules served from memory; a specifier that is not one of them fails the bundle. */
function pushedModules(files: ReadonlyMap<string, string>): Plugin {
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
        const contents = files.get(args.path);
        return contents === undefined
          ? { errors: [{ text: `no pushed module ${args.path}` }] }
          : { contents, loader: 'js' };
      });
    },
  };
}

export type BundleResult =
  { success: true; code: string } | { success: false; error: string };

export async function bundleFunctions(
  source: BundleSource,
): Promise<BundleResult> {
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
        sourcefile: 'converge-entry.js',
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
      ...(source.kind === 'directory'
        ? {
            nodePaths: [serverNodeModules, join(source.dir, 'node_modules')],
            plugins: [asyncHooksShim],
          }
        : { plugins: [pushedModules(source.files)] }),
    });
    const output = result.outputFiles[0];
    if (!output) return { success: false, error: 'esbuild produced no output' };
    return { success: true, code: output.text };
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

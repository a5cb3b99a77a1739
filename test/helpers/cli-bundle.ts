/**
 * A functions directory bundled the way the official CLI bundles it for a
 * push (convex-cli-and-guarantees.md §1.4): esbuild, ES modules with code
 * splitting, shared chunks under `_deps/`, source maps, `auth.config` on
 * its own, the schema apart. Unit tests of the push path use it to get
 * what the CLI would send without running the CLI; the end-to-end tests
 * run the CLI itself.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import type { SentModule } from '../../src/runtime/code-push.ts';
import type { ModuleSource } from '../../src/runtime/stored-modules.ts';

export interface CliBundle {
  modules: SentModule[];
  schema: ModuleSource | null;
}

const common: BuildOptions = {
  bundle: true,
  write: false,
  format: 'esm',
  target: 'esnext',
  platform: 'browser',
  conditions: ['convex', 'module'],
  sourcemap: 'external',
  logLevel: 'silent',
  // Apps written to a temporary directory find `convex` here, as an app
  // finds its own.
  nodePaths: [new URL('../../node_modules', import.meta.url).pathname],
};

export async function cliBundle(dir: string): Promise<CliBundle> {
  const files = readdirSync(dir).filter((f) => /^[^.]+\.ts$/.test(f));
  const entries = files.filter((f) => f !== 'schema.ts');
  const outdir = join(dir, 'out');
  const modules: SentModule[] = [];
  const result = await build({
    ...common,
    write: false,
    entryPoints: entries.map((f) => join(dir, f)),
    splitting: true,
    chunkNames: '_deps/[hash]',
    outdir,
  });
  const maps = new Map<string, string>();
  for (const file of result.outputFiles)
    if (file.path.endsWith('.map')) maps.set(file.path.slice(0, -4), file.text);
  for (const file of result.outputFiles) {
    if (file.path.endsWith('.map')) continue;
    modules.push({
      path: relative(outdir, file.path),
      source: file.text,
      sourceMap: maps.get(file.path),
      environment: 'isolate',
    });
  }
  const authConfig = readdirSync(dir).find((f) => f === 'auth.config.ts');
  if (authConfig)
    modules.push({
      path: 'auth.config.js',
      source: await single(join(dir, authConfig)),
      environment: 'isolate',
    });
  return {
    modules,
    schema: files.includes('schema.ts')
      ? { source: await single(join(dir, 'schema.ts')) }
      : null,
  };
}

async function single(file: string): Promise<string> {
  const result = await build({
    ...common,
    write: false,
    sourcemap: false,
    entryPoints: [file],
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * Which files of a functions directory are function modules, by the Convex
 * CLI's rules (convex-runtime.md §6, from convex-js `src/bundler/index.ts`):
 * JavaScript and TypeScript files, except `_generated/`, dotfiles and `#`
 * files, `schema.*`, names with more than one dot (`auth.config.ts`,
 * `*.test.ts`), paths with spaces, TypeScript files with no import or export,
 * the reserved `_deps/`, `node_modules/`, and directories holding a
 * `convex.config.ts` (nested components).
 *
 * Also finds the files evaluated on their own: `schema.ts` and
 * `auth.config.ts`. (`http.ts` and `crons.ts` are ordinary modules.)
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface FunctionsDirectory {
  /** Module files relative to the directory, `/`-separated, with extension, sorted. */
  modules: string[];
  schema: string | undefined;
  authConfig: string | undefined;
}

const MODULE_EXTENSIONS = [
  '.js',
  '.mjs',
  '.cjs',
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.jsx',
];
const TYPESCRIPT = /\.(?:ts|tsx|mts|cts)$/;
const SKIPPED_DIRECTORIES = new Set(['_generated', '_deps', 'node_modules']);

export async function discoverFunctions(
  dir: string,
): Promise<FunctionsDirectory> {
  const modules: string[] = [];
  let schema: string | undefined;
  let authConfig: string | undefined;
  let top;
  try {
    top = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // No directory is an app with no modules yet (code may be pushed).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { modules, schema, authConfig };
    throw error;
  }
  for (const entry of top) {
    if (entry.isFile() && /^schema\.(?:ts|js|mts|mjs)$/.test(entry.name))
      schema = entry.name;
    if (entry.isFile() && /^auth\.config\.(?:ts|js|mts|mjs)$/.test(entry.name))
      authConfig = entry.name;
  }
  await walk(dir, '', modules, true);
  modules.sort();
  return { modules, schema, authConfig };
}

async function walk(
  root: string,
  relative: string,
  modules: string[],
  isRoot: boolean,
): Promise<void> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  if (
    !isRoot &&
    entries.some(
      (e) => e.isFile() && /^convex\.config\.(?:ts|js)$/.test(e.name),
    )
  )
    return;
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (
      entry.name.startsWith('.') ||
      entry.name.startsWith('#') ||
      entry.name.includes(' ')
    )
      continue;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name))
        await walk(root, path, modules, false);
      continue;
    }
    if (
      !entry.isFile() ||
      !(await isModule(root, path, entry.name, isRoot && relative === ''))
    )
      continue;
    modules.push(path);
  }
}

async function isModule(
  root: string,
  path: string,
  name: string,
  topLevel: boolean,
): Promise<boolean> {
  const extension = MODULE_EXTENSIONS.find((ext) => name.endsWith(ext));
  if (!extension) return false;
  const stem = name.slice(0, -extension.length);
  if (stem.includes('.')) return false;
  if (topLevel && stem === 'schema') return false;
  if (TYPESCRIPT.test(name)) {
    const source = await readFile(join(root, path), 'utf8');
    if (!/(?:^|\n)\s*(?:import|export)\b/.test(source)) return false;
  }
  return true;
}

/** The module path of a module file: relative, `/`-separated, without extension. */
export function modulePathOf(file: string): string {
  const extension = MODULE_EXTENSIONS.find((ext) => file.endsWith(ext)) ?? '';
  return file.slice(0, file.length - extension.length);
}

/**
 * `converge codegen`: writes a functions directory's `_generated/` (`api.js`,
 * `api.d.ts`, `server.js`, `server.d.ts`, `dataModel.d.ts`) with the same
 * bytes as `npx convex codegen` of the Convex CLI 1.48 for an app without
 * components, so that an app and its clients type-check and run unmodified.
 *
 * `codegen` is pure: from the discovered directory to the files. `runCodegen`
 * is the shell around it: it discovers the modules, writes only the files
 * whose contents changed (each through a rename, so a watcher never reads
 * half a file), in the CLI's order (the data model before `server.d.ts`, which
 * imports it, before `api.d.ts`), and then removes what else is in
 * `_generated/`, as the CLI does. It does not type-check the app afterwards,
 * nor write the CLI's optional `README.md`, `tsconfig.json` or CommonJS
 * `api_cjs` files.
 */
import {
  mkdir,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { discoverFunctions } from '../runtime/module-discovery.ts';
import type { FunctionsDirectory } from '../runtime/module-discovery.ts';
import { apiFiles } from './generated-api.ts';
import { dataModelFile } from './generated-data-model.ts';
import type { GeneratedFile } from './generated-file.ts';
import { serverFiles } from './generated-server.ts';

export type CodegenResult =
  { success: true; files: GeneratedFile[] } | { success: false; error: string };

/** The files of `_generated/`, in the order they are to be written. */
export function codegen(directory: FunctionsDirectory): CodegenResult {
  const api = apiFiles(directory.modules);
  if (!api.success) return api;
  return {
    success: true,
    files: [dataModelFile(directory.schema), ...serverFiles(), ...api.files],
  };
}

export interface WriteReport {
  /** Paths relative to `_generated/`. */
  written: string[];
  unchanged: string[];
  removed: string[];
}

export type RunCodegenResult =
  | ({ success: true; generatedDir: string } & WriteReport)
  | { success: false; error: string };

/** Entries of `_generated/` the CLI leaves alone (its AI guidelines folder). */
const PRESERVED = new Set(['ai']);

export async function runCodegen(
  functionsDir: string,
): Promise<RunCodegenResult> {
  const isDirectory = await stat(functionsDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    return {
      success: false,
      error: `${functionsDir} is not a functions directory`,
    };
  }
  const result = codegen(await discoverFunctions(functionsDir));
  if (!result.success) return result;
  const generatedDir = join(functionsDir, '_generated');
  const report = await writeGenerated(generatedDir, result.files);
  return { success: true, generatedDir, ...report };
}

/** Writes `files` into `dir`, leaving it with exactly those files. */
export async function writeGenerated(
  dir: string,
  files: readonly GeneratedFile[],
): Promise<WriteReport> {
  await mkdir(dir, { recursive: true });
  const report: WriteReport = { written: [], unchanged: [], removed: [] };
  for (const { path, contents } of files) {
    const target = join(dir, path);
    const existing = await readFile(target, 'utf8').catch(() => undefined);
    if (existing === contents) {
      report.unchanged.push(path);
      continue;
    }
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, contents);
    await rename(temporary, target);
    report.written.push(path);
  }
  const kept = new Set(files.map(({ path }) => path));
  for (const entry of await readdir(dir)) {
    if (kept.has(entry) || PRESERVED.has(entry)) continue;
    await rm(join(dir, entry), { recursive: true, force: true });
    report.removed.push(entry);
  }
  return report;
}

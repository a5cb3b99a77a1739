// @ts-check
/**
 * Bundles the CLI's TypeScript (src/cli/main.ts and all it imports) into one
 * plain JavaScript file for `bin/converge.js` to import, at every start, so
 * that an edit to src/ is in the next `converge serve` without a build step.
 * That costs about 150 ms of a start on an idle machine (esbuild's service
 * started, the tree built, the service stopped). Running the server this
 * way rather than through tsx's loader saves the loader's thread and what it
 * holds (an idle server over the sample app: 114 MiB resident through tsx,
 * 86 MiB bundled) and the `__name` call tsx adds wherever a function is made
 * (4.5% of a busy server's CPU time).
 *
 * Packages stay external: the bundle imports them from node_modules as
 * src/ does, so the file must sit where they resolve the same way, such as
 * the package's own `node_modules/.cache/`. A source map beside it (no
 * sources inside, the files are in src/) turns stack traces back into src/
 * lines once source maps are enabled.
 *
 * Several processes may start at once: each writes a file under a name of
 * its own and renames it into place, so a reader sees an old bundle or a new
 * one, never part of one. The map goes first, so a bundle is never read
 * with an older map; only starts racing over different sources can pair it
 * with a newer one, which misplaces stack-trace lines and nothing else. A
 * file whose contents are already those built is left alone, so a tree
 * whose bundle was built ahead of time (the container's, where node_modules
 * is read-only) runs without writing anything.
 *
 * Plain JavaScript checked by TypeScript through JSDoc, not TypeScript: it
 * is what runs before anything can compile TypeScript, on a Node (20) that
 * does not strip types.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build, stop } from 'esbuild';

/**
 * Builds `entry` into `outfile` (and `outfile.map`) unless both already hold
 * what it builds to, and stops esbuild's service, whose process would
 * otherwise outlive the build. Rejects with esbuild's messages when the
 * sources do not build, or when a file cannot be written.
 *
 * @param {{ entry: string; outfile: string }} options
 * @returns {Promise<void>}
 */
export async function buildCliBundle({ entry, outfile }) {
  let outputs;
  try {
    const result = await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      write: false,
      logLevel: 'silent',
    });
    outputs = result.outputFiles;
  } finally {
    await stop();
  }
  const map = outputs.find((file) => file.path === `${outfile}.map`);
  const code = outputs.find((file) => file.path === outfile);
  if (!map || !code) throw new Error(`esbuild did not produce ${outfile}`);
  await mkdir(dirname(outfile), { recursive: true });
  await replaceIfChanged(map.path, map.contents);
  await replaceIfChanged(code.path, code.contents);
}

/**
 * @param {string} path
 * @param {Uint8Array} contents
 * @returns {Promise<void>}
 */
async function replaceIfChanged(path, contents) {
  const existing = await readFile(path).catch(
    /** @param {NodeJS.ErrnoException} error */
    (error) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  if (existing?.equals(contents)) return;
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, contents);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

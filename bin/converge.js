#!/usr/bin/env node
// @ts-check
// The `converge` executable: bundles the CLI from src/ as it is now and runs
// the bundle as plain JavaScript (src/cli/build-cli-bundle.js says why).
import process from 'node:process';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';
import { buildCliBundle } from '../src/cli/build-cli-bundle.js';

const entry = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const outfile = fileURLToPath(
  new URL('../node_modules/.cache/converge/cli.js', import.meta.url),
);

try {
  await buildCliBundle({ entry, outfile });
} catch (error) {
  process.stderr.write(
    `converge: cannot build the CLI from src/ into ${outfile}\n${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
// Stack traces in src/ terms. Enabled before the import, since Node reads a
// module's source map as it loads it. The map beside the bundle costs about
// 1 MB of heap; one inline, in the bundle's source, cost 3 MB.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(outfile).href);

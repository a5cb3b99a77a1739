/**
 * The dashboard's files as the server sends them: `dashboard/index.html` as
 * written, and `dashboard/main.ts` with everything it imports (the official
 * client included) bundled by esbuild into one minified script, beside
 * `dashboard/style.css`. Built in memory on the first request for them, not
 * at start: a server nobody opens the dashboard of never pays for it (about
 * 300 ms and the esbuild service), and the container's files stay
 * read-only. A build that fails is reported to that request and tried again
 * on the next.
 *
 * Not here: the routes that serve them (http/dashboard-routes.ts).
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import type {
  DashboardAsset,
  DashboardAssets,
} from '../http/dashboard-routes.ts';
import { entityTag } from '../http/entity-tag.ts';
import { withBundlerService } from '../runtime/bundler-service.ts';

const brotli = promisify(brotliCompress);
/** Brotli's best: made once per start, it costs about 150 ms for the script. */
const BROTLI_QUALITY = 11;
const gzipped = promisify(gzip);

/** Browsers the page must run in: what supports ES2022 (Chromium 94, Firefox 93, Safari 15). */
const TARGET = 'es2022';

export function dashboardBundle(folder: string): DashboardAssets {
  let built: Promise<Map<string, DashboardAsset>> | null = null;
  return {
    async asset(name) {
      built ??= buildAssets(folder).catch((error: unknown) => {
        built = null;
        throw error;
      });
      return (await built).get(name) ?? null;
    },
  };
}

async function buildAssets(
  folder: string,
): Promise<Map<string, DashboardAsset>> {
  const result = await withBundlerService(() =>
    build({
      entryPoints: {
        app: join(folder, 'main.ts'),
        'app-style': join(folder, 'style.css'),
      },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: TARGET,
      outdir: '/dashboard',
      write: false,
      logLevel: 'silent',
      legalComments: 'none',
    }),
  );
  const files: [string, string, Buffer][] = [];
  for (const file of result.outputFiles) {
    const body = Buffer.from(file.contents);
    if (file.path.endsWith('/app.js'))
      files.push(['app.js', 'text/javascript; charset=utf-8', body]);
    else if (file.path.endsWith('/app-style.css'))
      files.push(['app.css', 'text/css; charset=utf-8', body]);
  }
  files.push([
    'index.html',
    'text/html; charset=utf-8',
    await readFile(join(folder, 'index.html')),
  ]);
  const assets = new Map<string, DashboardAsset>();
  for (const [name, type, body] of files)
    assets.set(name, {
      type,
      body,
      etag: entityTag(body),
      // Made once, so each load sends about a quarter of the bytes.
      encoded: {
        br: await brotli(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY },
        }),
        gzip: await gzipped(body),
      },
    });
  return assets;
}

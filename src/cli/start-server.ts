/**
 * startServer: the composition root. From a configuration it opens the
 * store, loads the functions, applies the schema, and starts the runtime,
 * the scheduler, the sync worker and the front door, in that order; `close`
 * stops them in reverse. `converge serve` and the end-to-end tests both
 * start Converge through it, so the tests run what users run.
 *
 * Failures a user can fix (a functions directory that does not build, a bad
 * auth.config.ts) are values; only bugs throw.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applySchema } from '../runtime/apply-schema.ts';
import { parseAuthConfig } from '../runtime/auth-config.ts';
import { cronJobsFrom } from '../runtime/cron-schedule.ts';
import { FileStorage } from '../runtime/file-storage.ts';
import { FunctionRunner } from '../runtime/function-runner.ts';
import { IdentityVerifier } from '../runtime/identity-verifier.ts';
import { loadFunctions } from '../runtime/load-functions.ts';
import { Scheduler } from '../runtime/scheduler.ts';
import { httpActionHandler } from '../http/http-action-handler.ts';
import { canonicalUdfPath, parseUdfPath } from '../runtime/udf-path.ts';
import { openStore } from '../store/open-store.ts';
import { SyncServer } from '../sync/sync-server.ts';
import { startFrontDoor } from '../ws/server.ts';
import { startSiteServer } from '../ws/site-server.ts';
import type { Config } from './config.ts';

export interface RunningServer extends AsyncDisposable {
  /** Where clients connect: `http://<host>:<port>`. */
  url: string;
  port: number;
  /** Where the app's HTTP actions are served: the site port. */
  siteUrl: string;
  adminKey: string;
  /** True when this start made the admin key: the banner shows it once. */
  adminKeyCreated: boolean;
  /** Which store it runs on, for the banner. */
  store: string;
  sync: SyncServer;
  close(): Promise<void>;
}

export type StartResult =
  { success: true; server: RunningServer } | { success: false; error: string };

export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/** The admin key's file in the data directory, made on first start. */
const ADMIN_KEY_FILE = 'admin_key';

export async function startServer(
  config: Config,
  options: { version: string; log: Log },
): Promise<StartResult> {
  const loaded = await loadFunctions(config.functions);
  if (!loaded.success) return { success: false, error: loaded.error };
  const functions = loaded.loaded;
  const auth = parseAuthConfig(functions.authConfig);
  if (!auth.success) return { success: false, error: auth.error };

  const opened = await openStore({
    dataDir: config.data,
    databaseUrl: config.databaseUrl,
  });
  const { store } = opened;
  await applySchema(store, functions.schema);
  const { key: adminKey, created: adminKeyCreated } =
    config.adminKey === undefined
      ? await dataDirAdminKey(config.data)
      : { key: config.adminKey, created: false };
  const deployment = { url: '' };
  const runner = new FunctionRunner(functions, store, {
    files: {
      files: new FileStorage(join(config.data, 'storage')),
      // Read when a function asks for a URL, by which time the port is known.
      get origin() {
        return deployment.url;
      },
      secret: randomBytes(32),
    },
  });
  const crons = cronJobsFrom(functions.crons, (path) => {
    const parsed = parseUdfPath(path);
    const kind = runner.kindOf(path);
    return parsed.success && (kind === 'mutation' || kind === 'action')
      ? canonicalUdfPath(parsed.path)
      : null;
  });
  if (!crons.success) {
    await store.close();
    return { success: false, error: crons.error };
  }
  const scheduler = new Scheduler(runner, store, { crons: crons.jobs });
  await scheduler.start();
  const verifier =
    auth.providers.length > 0 || config.jwtSecret !== undefined
      ? new IdentityVerifier(auth.providers, { jwtSecret: config.jwtSecret })
      : null;
  const sync = await SyncServer.start({
    runner,
    store,
    verifier,
    adminKey,
    log: options.log,
  });
  const door = await startFrontDoor({
    host: config.host,
    port: config.port,
    version: options.version,
    sync,
  });
  const host =
    config.host === '0.0.0.0' || config.host === '::'
      ? '127.0.0.1'
      : config.host;
  deployment.url = `http://${host}:${door.port}`;
  const site = await startSiteServer({
    host: config.host,
    port: config.sitePort,
    handle: httpActionHandler(runner, verifier, options.log),
  });
  const siteUrl = `http://${host}:${site.port}`;

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    door.close();
    site.close();
    await sync.close();
    await scheduler.close();
    await store.close();
  };
  return {
    success: true,
    server: {
      url: deployment.url,
      port: door.port,
      siteUrl,
      adminKey,
      adminKeyCreated,
      store: opened.description,
      sync,
      close,
      [Symbol.asyncDispose]: close,
    },
  };
}

/** The admin key kept in the data directory, made on first start. */
async function dataDirAdminKey(
  dataDir: string,
): Promise<{ key: string; created: boolean }> {
  const path = join(dataDir, ADMIN_KEY_FILE);
  try {
    return { key: (await readFile(path, 'utf8')).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = `converge|${randomBytes(32).toString('hex')}`;
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}

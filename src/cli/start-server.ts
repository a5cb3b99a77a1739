/**
 * startServer: the composition root. From a configuration it opens the
 * store, loads the functions, applies the schema, and starts the runtime,
 * the scheduler, the sync worker and the front door, in that order; `close`
 * stops them in reverse. `converge serve` and the end-to-end tests both
 * start Converge through it, so the tests run what users run.
 *
 * The running server can take new code (`reloadFunctions`, which
 * `converge dev` calls on every change) and new environment variables
 * (`setEnvironment`) without closing a socket: the runner, the scheduler's
 * crons and the store's indexes are swapped in place, and every subscribed
 * query reruns.
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
import {
  changeEnvironment,
  storedEnvironment,
} from '../runtime/environment-variables.ts';
import { FileStorage } from '../runtime/file-storage.ts';
import { StoredFiles } from '../runtime/stored-files.ts';
import { FunctionRunner } from '../runtime/function-runner.ts';
import { IdentityVerifier } from '../runtime/identity-verifier.ts';
import {
  type LoadedFunctions,
  loadFunctions,
} from '../runtime/load-functions.ts';
import { Scheduler } from '../runtime/scheduler.ts';
import { httpActionHandler, underPrefix } from '../http/http-action-handler.ts';
import { storageHandler } from '../http/storage-handler.ts';
import { MAX_BODY_BYTES, startHttpApi } from '../http/http-api.ts';
import { canonicalUdfPath, parseUdfPath } from '../runtime/udf-path.ts';
import { openStore } from '../store/open-store.ts';
import { SyncServer } from '../sync/sync-server.ts';
import { startFrontDoor } from '../ws/server.ts';
import { startSiteServer } from '../ws/site-server.ts';
import { uwsTransport } from '../ws/uws.ts';
import type { Config } from './config.ts';
import { readEnvFile } from './env-file.ts';
import { type Logger, logTo } from './logger.ts';
import { serverMetrics } from './server-metrics.ts';

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
  /**
   * Loads the functions directory again and, if it builds, makes it the
   * live code; if not, the previous code stays live and the error is the
   * result.
   */
  reloadFunctions(): Promise<ReloadResult>;
  /** New environment variables for the functions; every subscribed query reruns. */
  setEnvironment(env: Readonly<Record<string, string>>): void;
  close(): Promise<void>;
}

export type StartResult =
  { success: true; server: RunningServer } | { success: false; error: string };

export type ReloadResult =
  | {
      success: true;
      /** How many functions the new code registers. */
      functions: number;
      /** What the reload could not apply, for the log. */
      warnings: string[];
    }
  | { success: false; error: string };

/** The admin key's file in the data directory, made on first start. */
const ADMIN_KEY_FILE = 'admin_key';
/** What `GET /instance_name` answers. */
const INSTANCE_NAME = 'converge';

export async function startServer(
  config: Config,
  options: { version: string; logger: Logger },
): Promise<StartResult> {
  const { logger } = options;
  const log = logTo(logger);
  let fileEnv: Readonly<Record<string, string>> = {};
  if (config.envFile !== undefined) {
    const read = await readEnvFile(config.envFile);
    if (!read.success) return read;
    fileEnv = read.env;
  }
  const opened = await openStore({
    dataDir: config.data,
    databaseUrl: config.databaseUrl,
  });
  const { store } = opened;
  // Variables set through the admin API override the file's.
  let env: Readonly<Record<string, string>> = {
    ...fileEnv,
    ...(await storedEnvironment(store)),
  };
  const refuse = async (error: string): Promise<StartResult> => {
    await store.close();
    return { success: false, error };
  };
  const loaded = await loadFunctions(config.functions, { env });
  if (!loaded.success) return refuse(loaded.error);
  const functions = loaded.loaded;
  const auth = parseAuthConfig(functions.authConfig);
  if (!auth.success) return refuse(auth.error);
  const crons = cronsOf(functions);
  if (!crons.success) return refuse(crons.error);

  await applySchema(store, functions.schema);
  const { key: adminKey, created: adminKeyCreated } =
    config.adminKey === undefined
      ? await dataDirAdminKey(config.data)
      : { key: config.adminKey, created: false };
  const deployment = { url: '' };
  const fileOptions = {
    files: new FileStorage(join(config.data, 'storage')),
    // Read when a function asks for a URL, by which time the port is known.
    get origin() {
      return deployment.url;
    },
    secret: randomBytes(32),
  };
  const runner = new FunctionRunner(functions, store, {
    env,
    files: fileOptions,
  });
  const scheduler = new Scheduler(runner, store, {
    crons: crons.jobs,
    onJobFinished: (job, result) => {
      if (!result.success)
        logger.warn(
          { job: job.id, function: job.name, error: result.errorMessage },
          'scheduled function failed',
        );
    },
  });
  await scheduler.start();
  const verifier =
    auth.providers.length > 0 || config.jwtSecret !== undefined
      ? new IdentityVerifier(auth.providers, { jwtSecret: config.jwtSecret })
      : null;
  const metrics = serverMetrics({ store, runner });
  const sync = await SyncServer.start({
    runner,
    store,
    verifier,
    adminKey,
    log,
    transitionSent: metrics.transitionSent,
  });
  metrics.watchSync(sync);
  const api = await startHttpApi({
    runner,
    latestTs: () => store.latestTs(),
    authority: { verifier, adminKey },
    instanceName: INSTANCE_NAME,
    version: options.version,
    transport: uwsTransport,
    metrics: metrics.registry,
    log,
    updateEnvironment: async (changes) => {
      const changed = await changeEnvironment(store, changes);
      if (changed.success)
        setEnvironment({ ...fileEnv, ...changed.environment });
      return changed;
    },
  });
  const httpActions = httpActionHandler(runner, verifier, log);
  const files = storageHandler(new StoredFiles(store, fileOptions));
  const door = await startFrontDoor({
    host: config.host,
    port: config.port,
    version: options.version,
    sync,
    http: { handle: api.handle, maxBodyBytes: MAX_BODY_BYTES },
    mounts: [
      { prefix: '/http/', handle: underPrefix('/http', httpActions) },
      {
        prefix: '/api/storage/',
        handle: async (request) =>
          (await files(request)) ??
          Response.json(
            { code: 'NotFound', message: 'No such storage route.' },
            { status: 404 },
          ),
      },
    ],
    onError: (error) => {
      log('error', `an HTTP handler failed: ${String(error)}`);
    },
  });
  const host =
    config.host === '0.0.0.0' || config.host === '::'
      ? '127.0.0.1'
      : config.host;
  deployment.url = `http://${host}:${door.port}`;
  const site = await startSiteServer({
    host: config.host,
    port: config.sitePort,
    handle: httpActions,
    onError: (error) => {
      log('error', `an HTTP action failed: ${String(error)}`);
    },
  });
  const siteUrl = `http://${host}:${site.port}`;

  let closed = false;
  const reloadFunctions = async (): Promise<ReloadResult> => {
    const next = await loadFunctions(config.functions, { env });
    if (!next.success) return next;
    const nextAuth = parseAuthConfig(next.loaded.authConfig);
    if (!nextAuth.success) return nextAuth;
    const nextCrons = cronsOf(next.loaded);
    if (!nextCrons.success) return nextCrons;
    if (closed) return { success: false, error: 'the server is closed' };
    await applySchema(store, next.loaded.schema);
    runner.replaceFunctions(next.loaded);
    scheduler.replaceCrons(nextCrons.jobs);
    sync.invalidateAll();
    const warnings =
      JSON.stringify(nextAuth.providers) === JSON.stringify(auth.providers)
        ? []
        : ['auth.config.ts changed: restart the server to apply it'];
    return { success: true, functions: next.loaded.functions.size, warnings };
  };
  function setEnvironment(next: Readonly<Record<string, string>>): void {
    env = { ...next };
    runner.setEnvironment(env);
    sync.invalidateAll();
  }
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    door.close();
    site.close();
    await api.close();
    metrics.stop();
    await sync.close();
    await scheduler.close();
    await store.close();
    logger.info('stopped');
  };
  logger.info(
    {
      version: options.version,
      url: deployment.url,
      siteUrl,
      functionsDir: config.functions,
      functions: functions.functions.size,
      store: opened.description,
      transport: uwsTransport,
      adminKeyCreated,
    },
    `serving ${config.functions} at ${deployment.url}`,
  );
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
      reloadFunctions,
      setEnvironment,
      close,
      [Symbol.asyncDispose]: close,
    },
  };
}

/** The cron jobs of `crons.ts`, each naming a mutation or action of the same code. */
function cronsOf(loaded: LoadedFunctions): ReturnType<typeof cronJobsFrom> {
  return cronJobsFrom(loaded.crons, (path) => {
    const parsed = parseUdfPath(path);
    if (!parsed.success) return null;
    const canonical = canonicalUdfPath(parsed.path);
    const kind = loaded.functions.get(canonical)?.kind;
    return kind === 'mutation' || kind === 'action' ? canonical : null;
  });
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

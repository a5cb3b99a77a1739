/**
 * startServer: the composition root. From a configuration it opens the
 * store, loads the functions, applies the schema, and starts the runtime,
 * the scheduler, the sync worker and the front door, in that order; `close`
 * stops them in reverse. `converge serve` and the end-to-end tests both
 * start Converge through it, so the tests run what users run.
 *
 * The running server can take new code without closing a socket: from
 * the functions directory (`reloadFunctions`, which `converge dev` calls on
 * every change), or pushed by the official CLI (http/push-routes.ts), both
 * through LiveCode; and new environment variables (`setEnvironment`). What
 * it serves when it starts is the pushed code kept in the store, unless the
 * functions directory changed since that push went live
 * (deployed-code.ts).
 *
 * Failures a user can fix (a functions directory that does not build, a bad
 * auth.config.ts) are values; only bugs throw.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applySchema } from '../runtime/apply-schema.ts';
import { type AppConfigResult, appConfigOf } from '../runtime/app-config.ts';
import { CodePush } from '../runtime/code-push.ts';
import { removeDeletedFiles } from '../runtime/deleted-files.ts';
import {
  DEPLOYED_CODE,
  type DeployedCode,
  loadDeployedCode,
  readDeployedCode,
  startupCode,
} from '../runtime/deployed-code.ts';
import {
  changeEnvironment,
  sameEnvironment,
  storedEnvironment,
  watchEnvironment,
} from '../runtime/environment-variables.ts';
import { StoredFiles } from '../runtime/stored-files.ts';
import { uploadTokenSecret } from '../runtime/upload-token.ts';
import { FunctionLog } from '../runtime/function-log.ts';
import { FunctionRunner } from '../runtime/function-runner.ts';
import { IdentityVerifier } from '../runtime/identity-verifier.ts';
import { loadFunctions } from '../runtime/load-functions.ts';
import { Scheduler } from '../runtime/scheduler.ts';
import { SnapshotJobs } from '../runtime/snapshot-jobs.ts';
import { watchTable } from '../runtime/table-watch.ts';
import { httpActionHandler, underPrefix } from '../http/http-action-handler.ts';
import { healthStream } from '../http/health-stream.ts';
import { storageHandler } from '../http/storage-handler.ts';
import { bodyLimitOf, startHttpApi } from '../http/http-api.ts';
import { openStore } from '../store/open-store.ts';
import { SyncServer } from '../sync/sync-server.ts';
import { startFrontDoor } from '../ws/server.ts';
import { startSiteServer } from '../ws/site-server.ts';
import { uwsTransport } from '../ws/uws.ts';
import type { Config } from './config.ts';
import { dashboardBundle } from './dashboard-bundle.ts';
import { watchHealth } from './health-monitor.ts';
import { readEnvFile } from './env-file.ts';
import { type Code, LiveCode, directoryFingerprintOf } from './live-code.ts';
import { type Logger, logTo } from './logger.ts';
import { packageRoot } from './package-root.ts';
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
  /**
   * From now on `/health` answers 503 `draining`, so that a load balancer
   * sends this process nothing new; everything else is served as before
   * until `close`.
   */
  drain(): void;
  /**
   * Stops listening, closes the sync sockets (the clients reconnect), waits
   * for the mutations and actions running, and closes the store.
   */
  close(): Promise<void>;
}

export type StartResult =
  { success: true; server: RunningServer } | { success: false; error: string };

export type ReloadResult =
  | {
      success: true;
      /** How many functions the new code registers. */
      functions: number;
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
  const host =
    config.host === '0.0.0.0' || config.host === '::'
      ? '127.0.0.1'
      : config.host;
  const ownUrl = (port: number) => `http://${host}:${port}`;
  // Where clients reach this deployment: the configured origins, or this process.
  const cloudUrl = (port: number) =>
    config.cloudOrigin ?? (port === 0 ? null : ownUrl(port));
  const siteUrlOf = (port: number) =>
    config.siteOrigin ?? (port === 0 ? null : ownUrl(port));
  // Convex's system variables, known now unless a port is chosen at listen.
  let system = systemVariables(
    cloudUrl(config.port),
    siteUrlOf(config.sitePort),
  );
  // Variables set through the admin API override the file's; the system's override both.
  let userEnv: Readonly<Record<string, string>> = {
    ...fileEnv,
    ...(await storedEnvironment(store)),
  };
  let env: Readonly<Record<string, string>> = { ...userEnv, ...system };
  const refuse = async (error: string): Promise<StartResult> => {
    await opened.close();
    return { success: false, error };
  };
  const directory = await loadFunctions(config.functions, { env });
  if (!directory.success) return refuse(directory.error);
  const directoryConfig = appConfigOf(directory.loaded);
  if (!directoryConfig.success) return refuse(directoryConfig.error);
  let initial: Code = {
    loaded: directory.loaded,
    config: directoryConfig.config,
  };
  let serving = config.functions;
  let initialDeployed: DeployedCode | null = null;
  const deployed = await readDeployedCode(store);
  if (
    deployed !== null &&
    startupCode(deployed, directoryFingerprintOf(directory.loaded)) === 'pushed'
  ) {
    const pushed = await loadDeployedCode(store, deployed, env);
    const pushedConfig: AppConfigResult = pushed.success
      ? appConfigOf(pushed.loaded)
      : pushed;
    if (pushed.success && pushedConfig.success) {
      initial = { loaded: pushed.loaded, config: pushedConfig.config };
      initialDeployed = deployed;
      serving = 'the code pushed last';
    } else if (!pushedConfig.success)
      logger.error(
        { error: pushedConfig.error },
        `the pushed code no longer loads: serving ${config.functions} instead`,
      );
  }

  await applySchema(store, initial.loaded.schema);
  const { key: adminKey, created: adminKeyCreated } =
    config.adminKey === undefined
      ? await dataDirAdminKey(config.data)
      : { key: config.adminKey, created: false };
  if (config.adminKey === undefined && config.databaseUrl !== undefined)
    logger.warn(
      "the admin key is this data directory's own: processes sharing the database need one key, given to each (--admin-key or CONVERGE_ADMIN_KEY)",
    );
  const deployment = { url: '', siteUrl: '' };
  const fileOptions = {
    files: opened.files,
    // Read when a function asks for a URL, by which time the port is known.
    get origin() {
      return deployment.url;
    },
    secret: uploadTokenSecret(adminKey),
  };
  const deletedFiles = removeDeletedFiles({
    store,
    files: opened.files,
    onError: (error) => {
      log('error', `removing a deleted file's bytes failed: ${String(error)}`);
    },
  });
  const runner = new FunctionRunner(initial.loaded, store, {
    env,
    files: fileOptions,
  });
  const scheduler = new Scheduler(runner, store, {
    crons: initial.config.crons,
    onError: (error) => {
      log(
        'error',
        `the scheduler's work failed, to be tried again: ${String(error)}`,
      );
    },
    onJobFinished: (job, result) => {
      if (!result.success)
        logger.warn(
          { job: job.id, function: job.name, error: result.errorMessage },
          'scheduled function failed',
        );
    },
  });
  await scheduler.start();
  const verifier = new IdentityVerifier(initial.config.providers, {
    jwtSecret: config.jwtSecret,
  });
  const metrics = serverMetrics({ store, runner });
  const functionLog = new FunctionLog();
  runner.onExecution((record) => functionLog.append(record));
  const sync = await SyncServer.start({
    runner,
    store,
    verifier,
    adminKey,
    log,
    transitionSent: metrics.transitionSent,
  });
  metrics.watchSync(sync);
  const health = watchHealth({
    store,
    runner,
    sync,
    about: {
      version: options.version,
      store: opened.description,
      transport: uwsTransport,
    },
  });
  const healthFigures = healthStream({
    authority: { verifier, adminKey },
    snapshot: () => health.snapshot(),
  });
  const snapshots = new SnapshotJobs(store, {
    dir: config.data,
    files: fileOptions.files,
    onTablesMoved: () => sync.invalidateAll(),
    log,
  });
  await snapshots.start();
  const live = new LiveCode(
    initial,
    initialDeployed,
    directoryFingerprintOf(directory.loaded),
    { store, runner, scheduler, verifier, sync },
  );
  const codePush = new CodePush({
    store,
    env: () => env,
    live: () => live.current,
    directoryFingerprint: () => live.directoryFingerprint,
    goLive: (loaded, appConfig, pushed) =>
      live.activate({ loaded, config: appConfig }, pushed),
  });
  // A push finished through another process sharing the store goes live here too.
  const unwatchPushes = watchTable(
    store,
    DEPLOYED_CODE,
    async () => {
      await codePush.settled();
      const followed = await live.follow(await readDeployedCode(store), env);
      if (followed.kind === 'live')
        logger.info(
          { functions: followed.functions },
          'serving the code pushed last, pushed through another process',
        );
      if (followed.kind === 'failed')
        logger.error(
          { error: followed.error },
          'the code pushed through another process does not load here',
        );
    },
    (error) => {
      log('error', `following a push failed: ${String(error)}`);
    },
  );
  let draining = false;
  const api = await startHttpApi({
    runner,
    draining: () => draining,
    latestTs: () => store.catchUp(),
    authority: { verifier, adminKey },
    instanceName: INSTANCE_NAME,
    version: options.version,
    transport: uwsTransport,
    metrics: metrics.registry,
    log,
    codePush,
    canonicalUrls: () => ({
      convexCloudUrl: deployment.url,
      convexSiteUrl: deployment.siteUrl,
    }),
    functionLog,
    snapshots,
    dashboard: dashboardBundle(join(packageRoot(import.meta.url), 'dashboard')),
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
    http: { handle: api.handle, maxBodyBytes: bodyLimitOf },
    mounts: [
      { prefix: '/http/', handle: underPrefix('/http', httpActions) },
      {
        prefix: '/api/dashboard/',
        handle: (request) => healthFigures.handle(request),
      },
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
  const url = ownUrl(door.port);
  deployment.url = cloudUrl(door.port) ?? url;
  const site = await startSiteServer({
    host: config.host,
    port: config.sitePort,
    handle: httpActions,
    onError: (error) => {
      log('error', `an HTTP action failed: ${String(error)}`);
    },
  });
  const siteUrl = ownUrl(site.port);
  deployment.siteUrl = siteUrlOf(site.port) ?? siteUrl;
  system = systemVariables(deployment.url, deployment.siteUrl);

  let closed = false;
  const reloadFunctions = async (): Promise<ReloadResult> => {
    const next = await loadFunctions(config.functions, { env });
    if (!next.success) return next;
    const nextConfig = appConfigOf(next.loaded);
    if (!nextConfig.success) return nextConfig;
    if (closed) return { success: false, error: 'the server is closed' };
    await live.activateDirectory({
      loaded: next.loaded,
      config: nextConfig.config,
    });
    return { success: true, functions: next.loaded.functions.size };
  };
  function setEnvironment(next: Readonly<Record<string, string>>): void {
    userEnv = { ...next };
    env = { ...userEnv, ...system };
    runner.setEnvironment(env);
    sync.invalidateAll();
  }
  // Ports chosen at listen: functions see the system variables from now on.
  if (!sameEnvironment({ ...userEnv, ...system }, env)) setEnvironment(userEnv);
  // Variables set through another process sharing the store apply here too.
  const unwatchEnvironment = watchEnvironment(
    store,
    (stored) => {
      const next = { ...fileEnv, ...stored };
      if (!sameEnvironment(next, userEnv)) setEnvironment(next);
    },
    (error) => {
      log(
        'error',
        `reading the environment variables failed: ${String(error)}`,
      );
    },
  );
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    draining = true;
    unwatchPushes();
    unwatchEnvironment();
    healthFigures.close();
    door.close();
    site.close();
    await api.close();
    await snapshots.close();
    metrics.stop();
    health.stop();
    await sync.close();
    await runner.settled();
    await scheduler.close();
    await deletedFiles.stop();
    await opened.close();
    logger.info('stopped');
  };
  logger.info(
    {
      version: options.version,
      url,
      siteUrl,
      ...(config.cloudOrigin === undefined
        ? {}
        : { cloudOrigin: config.cloudOrigin }),
      ...(config.siteOrigin === undefined
        ? {}
        : { siteOrigin: config.siteOrigin }),
      functionsDir: config.functions,
      serving,
      functions: initial.loaded.functions.size,
      store: opened.description,
      transport: uwsTransport,
      adminKeyCreated,
    },
    `serving ${serving} at ${url}`,
  );
  return {
    success: true,
    server: {
      url,
      port: door.port,
      siteUrl,
      adminKey,
      adminKeyCreated,
      store: opened.description,
      sync,
      reloadFunctions,
      setEnvironment,
      drain: () => {
        draining = true;
      },
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

/**
 * What functions see as `CONVEX_CLOUD_URL` and `CONVEX_SITE_URL`, as on
 * Convex: where clients reach the deployment and its HTTP actions. One not
 * known yet (a port chosen at listen) is missing until it is.
 */
function systemVariables(
  cloud: string | null,
  site: string | null,
): Record<string, string> {
  return {
    ...(cloud === null ? {} : { CONVEX_CLOUD_URL: cloud }),
    ...(site === null ? {} : { CONVEX_SITE_URL: site }),
  };
}

/**
 * The server's configuration: every setting of the contract in DESIGN.md as a
 * flag and an environment variable, with one defaults object. Flags win over
 * the environment. Nothing else in Converge reads `process.env` for settings.
 *
 * Returns a value, not an exception, for bad input: the CLI prints the
 * problem and exits 2.
 */
import { parseArgs } from 'node:util';

export interface Config {
  functions: string;
  port: number;
  sitePort: number;
  host: string;
  data: string;
  /** Unset means the embedded SQLite store under `data`. */
  databaseUrl: string | undefined;
  /** Unset means generated on first start and kept in the data directory. */
  adminKey: string | undefined;
  /**
   * For development without an identity provider: HS256 tokens signed with
   * this secret are accepted whatever their issuer. Unset means none are.
   */
  jwtSecret: string | undefined;
  /**
   * A dotenv file whose variables the functions see as `process.env`. Unset
   * means they see none.
   */
  envFile: string | undefined;
  /**
   * On SIGTERM, how long `serve` keeps serving with `/health` answering 503
   * before it closes its listener and its clients' sockets: the time a load
   * balancer needs to stop sending it new connections. 0 closes at once.
   */
  drainMs: number;
  /**
   * Where clients reach the deployment and its HTTP actions when that is
   * not this process's own address (a load balancer, a proxy): the URLs
   * that storage URLs, the CLI and functions' `CONVEX_CLOUD_URL` and
   * `CONVEX_SITE_URL` give out. The variables are self-hosted Convex's.
   * Unset means `http://<host>:<port>` of this process.
   */
  cloudOrigin: string | undefined;
  siteOrigin: string | undefined;
}

export const defaults = {
  functions: './functions',
  port: 3210,
  sitePort: 3211,
  host: '0.0.0.0',
  data: './.converge',
  /**
   * Kubernetes takes a terminating pod out of its Service when it sends
   * SIGTERM, and the proxies in front hear of it a second or a few later;
   * a balancer polling `/health` every second or two needs two or three
   * polls to give up on a process. Five seconds covers both and leaves half
   * of Docker's 10 s stop timeout for the in-flight work.
   */
  drainMs: 5000,
} as const;

/** Each setting: its flag, its environment variable. */
const settings = {
  functions: { flag: 'functions', env: 'CONVERGE_FUNCTIONS' },
  port: { flag: 'port', env: 'PORT' },
  sitePort: { flag: 'site-port', env: 'CONVERGE_SITE_PORT' },
  host: { flag: 'host', env: 'CONVERGE_HOST' },
  data: { flag: 'data', env: 'CONVERGE_DATA' },
  databaseUrl: { flag: 'database-url', env: 'DATABASE_URL' },
  adminKey: { flag: 'admin-key', env: 'CONVERGE_ADMIN_KEY' },
  jwtSecret: { flag: 'jwt-secret', env: 'CONVERGE_JWT_SECRET' },
  envFile: { flag: 'env-file', env: 'CONVERGE_ENV_FILE' },
  drainMs: { flag: 'drain-ms', env: 'CONVERGE_DRAIN_MS' },
  cloudOrigin: { flag: 'cloud-origin', env: 'CONVEX_CLOUD_ORIGIN' },
  siteOrigin: { flag: 'site-origin', env: 'CONVEX_SITE_ORIGIN' },
} as const satisfies Record<keyof Config, { flag: string; env: string }>;

export type ConfigResult =
  { success: true; config: Config } | { success: false; error: string };

export function readConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ConfigResult {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.values(settings).map(({ flag }) => [
          flag,
          { type: 'string' as const },
        ]),
      ),
      strict: true,
    }));
  } catch (e) {
    return {
      success: false,
      error: e instanceof Error ? e.message : String(e),
    };
  }
  const pick = (key: keyof Config): string | undefined => {
    const { flag, env: name } = settings[key];
    const value = values[flag] ?? env[name];
    return value === '' ? undefined : value;
  };

  const port = readPort(pick('port'), defaults.port, '--port / PORT');
  if (typeof port === 'string') return { success: false, error: port };
  const sitePort = readPort(
    pick('sitePort'),
    defaults.sitePort,
    '--site-port / CONVERGE_SITE_PORT',
  );
  if (typeof sitePort === 'string') return { success: false, error: sitePort };
  const drainMs = readMilliseconds(
    pick('drainMs'),
    defaults.drainMs,
    '--drain-ms / CONVERGE_DRAIN_MS',
  );
  if (typeof drainMs === 'string') return { success: false, error: drainMs };
  const origins = {
    cloudOrigin: readOrigin(
      pick('cloudOrigin'),
      '--cloud-origin / CONVEX_CLOUD_ORIGIN',
    ),
    siteOrigin: readOrigin(
      pick('siteOrigin'),
      '--site-origin / CONVEX_SITE_ORIGIN',
    ),
  };
  for (const origin of Object.values(origins))
    if (origin !== undefined && !origin.success)
      return { success: false, error: origin.error };
  const databaseUrl = pick('databaseUrl');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      success: false,
      error: '--database-url / DATABASE_URL must be a postgres:// URL',
    };
  }
  return {
    success: true,
    config: {
      functions: pick('functions') ?? defaults.functions,
      port,
      sitePort,
      host: pick('host') ?? defaults.host,
      data: pick('data') ?? defaults.data,
      databaseUrl,
      adminKey: pick('adminKey'),
      jwtSecret: pick('jwtSecret'),
      envFile: pick('envFile'),
      drainMs,
      cloudOrigin: origins.cloudOrigin?.success
        ? origins.cloudOrigin.origin
        : undefined,
      siteOrigin: origins.siteOrigin?.success
        ? origins.siteOrigin.origin
        : undefined,
    },
  };
}

/** An http(s) origin without a trailing slash, or the problem. */
function readOrigin(
  value: string | undefined,
  name: string,
):
  | { success: true; origin: string }
  | { success: false; error: string }
  | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (
    url === null ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== ''
  )
    return {
      success: false,
      error: `${name} must be an http(s) origin such as https://api.example.com, not ${value}`,
    };
  return { success: true, origin: url.origin };
}

/** A TCP port (0 lets the system choose), or the problem as a string. */
function readPort(
  value: string | undefined,
  fallback: number,
  name: string,
): number | string {
  if (value === undefined) return fallback;
  const port = Number(value);
  return /^\d+$/.test(value) && port <= 65535
    ? port
    : `${name} must be a port number, got "${value}"`;
}

/** A whole number of milliseconds, or the problem as a string. */
function readMilliseconds(
  value: string | undefined,
  fallback: number,
  name: string,
): number | string {
  if (value === undefined) return fallback;
  return /^\d+$/.test(value) && Number.isSafeInteger(Number(value))
    ? Number(value)
    : `${name} must be a whole number of milliseconds, got "${value}"`;
}

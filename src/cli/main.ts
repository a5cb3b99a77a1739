/**
 * The `converge` command line: wiring only. `serve` reads the configuration,
 * starts the layers, prints the banner, and on SIGTERM or SIGINT finishes
 * in-flight work and closes them; `dev` does the same and reloads the
 * functions on every change; `codegen` writes the functions directory's
 * `_generated/`. Logs are JSON lines on stderr (readable on a terminal);
 * stdout carries the banner.
 *
 * SIGTERM is how orchestrators stop a process that may sit behind a load
 * balancer, so `serve` drains first: for `--drain-ms` it serves as before
 * while `/health` answers 503, then closes. SIGINT is a person at a
 * terminal, and `dev` is nobody's backend: both close at once. Closing
 * stops the listeners, closes every sync socket with 1001 (the client
 * reconnects about a second later, through the balancer to another
 * process, and sends its queries and unanswered mutations again), and
 * waits for the mutations and actions already running.
 */
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { uwsTransport } from '../ws/uws.ts';
import { banner } from './banner.ts';
import { runCodegen } from './codegen.ts';
import { readConfig } from './config.ts';
import { type Logger, createLogger } from './logger.ts';
import { shutdownSignal } from './shutdown-signal.ts';
import { startDevServer } from './start-dev-server.ts';
import { type RunningServer, startServer } from './start-server.ts';

const usage = `Usage: converge serve [options]
       converge dev [options]
       converge codegen [--functions DIR]

Commands:
  serve                serve the functions directory over HTTP and WebSocket
  dev                  serve, and reload the functions (and codegen) on every change
  codegen              write DIR/_generated/ as \`npx convex codegen\` does

Options (each also an environment variable):
  --functions DIR      CONVERGE_FUNCTIONS   default ./functions
  --port N             PORT                 default 3210
  --site-port N        CONVERGE_SITE_PORT   default 3211
  --host H             CONVERGE_HOST        default 0.0.0.0
  --data DIR           CONVERGE_DATA        default ./.converge
  --database-url URL   DATABASE_URL         default unset (SQLite)
  --admin-key KEY      CONVERGE_ADMIN_KEY   default generated on first start
  --jwt-secret SECRET  CONVERGE_JWT_SECRET  default unset; when set, accept HS256 dev tokens signed with it
  --env-file FILE      CONVERGE_ENV_FILE    default unset; a dotenv file: the functions' process.env
  --drain-ms N         CONVERGE_DRAIN_MS    default 5000; on SIGTERM, how long serve answers /health
                                            with 503 (and serves as before) before it closes
  --cloud-origin URL   CONVEX_CLOUD_ORIGIN  default this process; where clients reach the deployment
                                            (a load balancer): storage URLs, CONVEX_CLOUD_URL
  --site-origin URL    CONVEX_SITE_ORIGIN   default this process's site port; where HTTP actions are
                                            reached: CONVEX_SITE_URL
`;

/** File name of the admin key in the data directory, as start-server.ts keeps it. */
const ADMIN_KEY_FILE = 'admin_key';

async function serve(
  mode: 'serve' | 'dev',
  argv: readonly string[],
): Promise<number> {
  const result = readConfig(argv, process.env);
  if (!result.success) {
    process.stderr.write(`converge: ${result.error}\n\n${usage}`);
    return 2;
  }
  const { config } = result;
  const logger = createLogger();
  // Listening from the start: a signal while starting stops the server once it has started.
  const shutdown = shutdownSignal(logger);
  const start = mode === 'dev' ? startDevServer : startServer;
  const started = await start(config, {
    version: packageJson.version,
    logger,
  });
  if (!started.success) {
    logger.error({ error: started.error }, `converge ${mode} cannot start`);
    return 1;
  }
  const { server } = started;
  process.stdout.write(
    banner({
      version: packageJson.version,
      functions: config.functions,
      url: server.url,
      siteUrl: server.siteUrl,
      store: server.store,
      transport: uwsTransport,
      adminKey: {
        key: server.adminKey,
        created: server.adminKeyCreated,
        keptIn: join(config.data, ADMIN_KEY_FILE),
      },
      watching: mode === 'dev',
    }),
  );
  const signal = await shutdown;
  if (mode === 'serve' && signal === 'SIGTERM')
    await drain(server, config.drainMs, logger);
  await server.close();
  return 0;
}

/** Marks the server draining and waits `ms`, for load balancers to stop sending it anything new. */
async function drain(
  server: RunningServer,
  ms: number,
  logger: Logger,
): Promise<void> {
  if (ms === 0) return;
  server.drain();
  logger.info(
    { drainMs: ms },
    `draining: /health answers 503 for ${ms} ms, then the sockets close`,
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function codegen(argv: readonly string[]): Promise<number> {
  const result = readConfig(argv, process.env);
  if (!result.success) {
    process.stderr.write(`converge: ${result.error}\n\n${usage}`);
    return 2;
  }
  const outcome = await runCodegen(result.config.functions);
  if (!outcome.success) {
    process.stderr.write(`converge codegen: ${outcome.error}\n`);
    return 1;
  }
  const { generatedDir, written, unchanged, removed } = outcome;
  process.stdout.write(
    `${generatedDir}: ${written.length} written, ${unchanged.length} unchanged` +
      (removed.length > 0 ? `, removed ${removed.join(', ')}` : '') +
      '\n',
  );
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
    case 'dev':
      return serve(command, rest);
    case 'codegen':
      return codegen(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(
        `converge: unknown command "${command}"\n\n${usage}`,
      );
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
// Everything has finished and the logger writes synchronously; what may be
// left are idle keep-alive HTTP connections, which uWebSockets.js does not
// close with its listener and which would keep a stopped server alive.
process.exit();

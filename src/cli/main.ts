/**
 * The `converge` command line: wiring only. `serve` reads the configuration,
 * starts the layers, prints the banner, and closes them on SIGINT and SIGTERM;
 * `codegen` writes the functions directory's `_generated/`.
 */
import { readFileSync } from 'node:fs';
import { uwsTransport } from '../ws/uws.ts';
import { runCodegen } from './codegen.ts';
import { readConfig } from './config.ts';
import { startServer } from './start-server.ts';

const usage = `Usage: converge serve [options]
       converge codegen [--functions DIR]

Commands:
  serve                serve the functions directory over HTTP and WebSocket
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
`;

const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

async function serve(argv: readonly string[]): Promise<number> {
  const result = readConfig(argv, process.env);
  if (!result.success) {
    process.stderr.write(`converge: ${result.error}\n\n${usage}`);
    return 2;
  }
  const { config } = result;
  const started = await startServer(config, {
    version: packageJson.version,
    log: (level, message) => process.stderr.write(`[${level}] ${message}\n`),
  });
  if (!started.success) {
    process.stderr.write(`converge: ${started.error}\n`);
    return 1;
  }
  const { server } = started;
  process.stdout.write(
    `Converge ${packageJson.version} serving ${config.functions} at ${server.url}\n` +
      `  store: ${server.store}\n` +
      `  uWebSockets.js transport: ${uwsTransport}\n` +
      (server.adminKeyCreated
        ? `  admin key (shown once, kept in ${config.data}): ${server.adminKey}\n`
        : ''),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
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
      return serve(rest);
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

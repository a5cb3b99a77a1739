/**
 * The apps the other tests serve from their directories, deployed instead
 * by the official CLI (`npx convex deploy`) into a server started with no
 * functions. Pushed code is the CLI's own esbuild output (ES modules split
 * into `_deps/` chunks, minified identifiers, the schema and `auth.config`
 * apart), so each app is held to what its own tests check of it served:
 *
 * - the sample chat (functions/), the HTTP API app and the bank pass their
 *   contracts (test/helpers/*-contract.ts), as they do served;
 * - test/apps/basic, which no end-to-end test covers whole, answers every
 *   call as a server serving its directory does, and passes its HTTP
 *   actions' contract; its scheduled functions run;
 * - test/apps/auth verifies tokens with the keys `auth.config.ts` names
 *   through an environment variable set with `npx convex env set`;
 * - test/apps/paginated pages through its items to the end;
 *
 * and every app lists the same functions served and pushed. A second
 * deploy of unchanged code sends no module again, a cron a deploy adds
 * runs, and code that throws at import is shown in the author's files.
 */
import { randomUUID } from 'node:crypto';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { ConvexHttpClient } from 'convex/browser';
import { type PaginationResult, makeFunctionReference } from 'convex/server';
import { type Value, convexToJson } from 'convex/values';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ConvexProject, convexProject } from '../helpers/convex-cli.ts';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  TEST_ADMIN_KEY,
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';
import { describeHttpActions } from '../helpers/http-actions-contract.ts';
import { describeHttpClient } from '../helpers/http-client-contract.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import {
  SAMPLE_JWT_SECRET,
  describeSampleChat,
} from '../helpers/sample-chat-contract.ts';
import { describeSerialOrder } from '../helpers/serial-order-contract.ts';

const apps = new URL('../apps/', import.meta.url).pathname;
const sampleApp = new URL('../../functions/', import.meta.url).pathname;
/** Starting a server and deploying an app to it: the CLI bundles for a few seconds. */
const DEPLOY_TIMEOUT_MS = 60_000;

/** An app's files, as its `convex/` folder holds them; `_generated/` is the CLI's to write. */
function appFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        if (name !== '_generated') walk(path);
      } else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

interface Deployed extends AsyncDisposable {
  server: TestServer;
  project: ConvexProject;
}

/** A server started with no functions, and the app in `dir` deployed to it by `npx convex deploy`. */
async function deployed(
  dir: string,
  options: { jwtSecret?: string } = {},
): Promise<Deployed> {
  const server = await startTestServer('none', {
    functions: join(tmpdir(), `converge-no-functions-${randomUUID()}`),
    ...(options.jwtSecret === undefined
      ? {}
      : { jwtSecret: options.jwtSecret }),
  });
  const project = convexProject(
    { url: server.url, adminKey: TEST_ADMIN_KEY },
    appFiles(dir),
  );
  const dispose = async (): Promise<void> => {
    await project[Symbol.asyncDispose]();
    await server.close();
  };
  try {
    const deploy = await project.run(['deploy', '--typecheck', 'disable']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toContain('Deployed Convex functions');
  } catch (error) {
    await dispose();
    throw error;
  }
  return { server, project, [Symbol.asyncDispose]: dispose };
}

/** `setAdminAuth` is internal to the clients, so its type is not published. */
interface AdminAuth {
  setAdminAuth(key: string): void;
}

const apiSpec = makeFunctionReference<
  'query',
  Record<string, never>,
  Record<string, unknown>[]
>('_system/cli/modules:apiSpec');

/** Every function and HTTP route the server lists to an admin, as `npx convex run` shows them. */
async function functionList(url: string): Promise<string[]> {
  const admin = new ConvexHttpClient(url, { logger: false });
  (admin as unknown as AdminAuth).setAdminAuth(TEST_ADMIN_KEY);
  const specs = await admin.query(apiSpec, {});
  return specs.map((spec) => JSON.stringify(spec)).sort();
}

/** The app in `dir` served from its directory, for as long as `check` runs. */
async function whileServed<T>(
  dir: string,
  check: (server: TestServer) => Promise<T>,
  overrides: { envFile?: string } = {},
): Promise<T> {
  await using server = await startTestServer('served', {
    functions: dir,
    ...overrides,
  });
  return await check(server);
}

async function expectSameFunctions(dir: string, pushed: TestServer) {
  const served = await whileServed(dir, (server) => functionList(server.url));
  expect(served.length).toBeGreaterThan(0);
  expect(await functionList(pushed.url)).toEqual(served);
}

describe('the sample chat (functions/), deployed by the CLI', () => {
  let app: Deployed;
  beforeAll(async () => {
    app = await deployed(sampleApp, { jwtSecret: SAMPLE_JWT_SECRET });
  }, DEPLOY_TIMEOUT_MS);
  afterAll(async () => {
    await app[Symbol.asyncDispose]();
  });

  test('lists the functions and routes it lists served', async () => {
    await expectSameFunctions(sampleApp, app.server);
  });

  describeSampleChat('passes its contract', () => app.server);
});

type Call = [
  name: string,
  kind: 'query' | 'mutation' | 'action',
  args: Record<string, Value>,
];

/**
 * Calls whose answers test/apps/basic's runtime tests rely on, in order:
 * default exports and a module in a folder, validators both ways, errors
 * and ConvexError data, internal functions out of reach, nested calls and
 * handles, pagination, text and vector search, storage, scheduling.
 */
const BASIC_CALLS: Call[] = [
  ['messages:send', 'mutation', { channel: 'general', body: 'hello world' }],
  ['messages:send', 'mutation', { channel: 'general', body: 7 }],
  ['messages:list', 'query', { channel: 'general' }],
  ['messages', 'query', {}],
  ['messages:default', 'query', {}],
  ['dir/nested:shout', 'action', { text: 'quiet' }],
  ['errors:fails', 'query', {}],
  ['errors:refuses', 'mutation', {}],
  ['errors:count', 'query', {}],
  ['errors:breaksSchema', 'mutation', {}],
  ['actions:post', 'action', { channel: 'general', body: 'second' }],
  ['actions:catchesConvexError', 'action', {}],
  ['actions:secret', 'action', {}],
  ['messages:clear', 'mutation', {}],
  ['nesting:incrementAndTry', 'mutation', { name: 'nested' }],
  ['nesting:recurse', 'query', { depth: 5 }],
  ['nesting:mutateFromQuery', 'query', {}],
  ['nesting:viaHandle', 'mutation', { name: 'handle' }],
  ['nesting:meta', 'mutation', {}],
  ['pages:all', 'query', { paginationOpts: { numItems: 1, cursor: null } }],
  [
    'pages:byChannel',
    'query',
    { channel: 'general', paginationOpts: { numItems: 5, cursor: null } },
  ],
  ['pages:twice', 'query', {}],
  ['search:messages', 'query', { text: 'hello' }],
  ['search:messages', 'query', { text: 'second', channel: 'elsewhere' }],
  [
    'search:addEmbedding',
    'mutation',
    { kind: 'a', label: 'x', vector: [1, 0, 0] },
  ],
  [
    'search:addEmbedding',
    'mutation',
    { kind: 'b', label: 'y', vector: [0, 1, 0] },
  ],
  ['search:nearest', 'action', { vector: [1, 0.5, 0] }],
  ['search:nearest', 'action', { vector: [1, 0.5, 0], kind: 'b' }],
  ['files:roundTrip', 'action', { text: 'a,b' }],
  ['files:storeThenFail', 'mutation', {}],
  ['scheduling:planMissing', 'mutation', {}],
  ['scheduling:planThenFail', 'mutation', {}],
  ['counters:get', 'query', { name: 'nested' }],
  ['counters:increment', 'mutation', { wrong: 1 }],
  ['nowhere:nothing', 'query', {}],
];

/** Keys whose values are times: they differ from run to run. */
const TIMES = new Set(['_creationTime', 'now', 'expiresAt']);
/** A document or storage id, alone or inside a URL. */
const ID = /\b[0-9a-z]{31,37}\b/g;

/**
 * What a client saw of `calls`, one line each, with what differs between
 * two deployments of the same app made alike: ids numbered in order of
 * appearance (so the same id stays the same), times and cursors elided,
 * the server's origin named as such.
 */
async function transcript(url: string, calls: Call[]): Promise<string[]> {
  await using clients = convexClients(url);
  const client = clients.open();
  const ids = new Map<string, string>();
  const text = (value: unknown): string =>
    JSON.stringify(
      value === undefined ? null : convexToJson(value as Value),
      (key, v: unknown) => {
        if (TIMES.has(key) && typeof v === 'number') return '<time>';
        if (key === 'continueCursor' && typeof v === 'string')
          return '<cursor>';
        if (typeof v !== 'string') return v;
        return v.replaceAll(url, '<origin>').replace(ID, (id) => {
          if (!ids.has(id)) ids.set(id, `<id ${ids.size + 1}>`);
          return ids.get(id) as string;
        });
      },
    );
  const lines: string[] = [];
  for (const [name, kind, args] of calls) {
    const call =
      kind === 'query'
        ? client.query(makeFunctionReference<'query'>(name), args)
        : kind === 'mutation'
          ? client.mutation(makeFunctionReference<'mutation'>(name), args)
          : client.action(makeFunctionReference<'action'>(name), args);
    lines.push(
      await call.then(
        (value: unknown) => `${name} → ${text(value)}`,
        (error: Error & { data?: unknown }) =>
          `${name} ✗ ${text(error.message)} ${text(error.data)}`,
      ),
    );
  }
  return lines;
}

describe('test/apps/basic, deployed by the CLI', () => {
  const basic = join(apps, 'basic');
  let app: Deployed;
  beforeAll(async () => {
    app = await deployed(basic);
  }, DEPLOY_TIMEOUT_MS);
  afterAll(async () => {
    await app[Symbol.asyncDispose]();
  });

  test('lists the functions and routes it lists served', async () => {
    await expectSameFunctions(basic, app.server);
  });

  test('answers every call as it does served, call for call', async () => {
    const served = await whileServed(basic, (server) =>
      transcript(server.url, BASIC_CALLS),
    );
    expect(await transcript(app.server.url, BASIC_CALLS)).toEqual(served);
  });

  test('runs the functions a mutation scheduled, and those an action scheduled', async () => {
    await using clients = convexClients(app.server.url);
    const client = clients.open();
    const counter = makeFunctionReference<'query', { name: string }, number>(
      'counters:get',
    );
    using planned = watchQuery(client, counter, { name: 'planned' });
    using recorded = watchQuery(client, counter, {
      name: 'planned from action',
    });
    await client.mutation(
      makeFunctionReference<'mutation'>('scheduling:plan'),
      {
        name: 'planned',
      },
    );
    // Incremented once: the run an hour away was cancelled.
    expect(await planned.next((value) => value !== 0)).toBe(1);
    // The action it scheduled scheduled `record`, which writes -1.
    expect(await recorded.next((value) => value !== 0)).toBe(-1);
  });

  describeHttpActions('passes its HTTP actions’ contract', () => app.server);

  test(
    'a second deploy sends no module again and one more only what changed; a cron a deploy adds runs; code that throws at import is shown in its author’s files',
    async () => {
      // A recording proxy sees what the CLI sends; a second project of the
      // same files bundles to the same modules.
      await using proxy = await recordingProxy(app.server.url);
      await using project = convexProject(
        { url: proxy.url, adminKey: TEST_ADMIN_KEY },
        appFiles(basic),
      );
      const deploy = async () => {
        const result = await project.run(['deploy', '--typecheck', 'disable']);
        expect(result.code, result.stderr).toBe(0);
        return proxy.pushes.at(-1);
      };
      const again = await deploy();
      expect(again?.changed).toEqual([]);
      expect(again?.unchanged).toContain('messages.js');
      project.write(
        'counters.ts',
        `${readFileSync(join(basic, 'counters.ts'), 'utf8')}\nexport const unit = 'ticks';\n`,
      );
      expect((await deploy())?.changed).toEqual(['counters.js']);

      // A new entry point regroups the CLI's shared chunks, so this push
      // sends more than crons.js: what it shows is the cron running.
      project.write(
        'crons.ts',
        `import { cronJobs, makeFunctionReference } from 'convex/server';
const crons = cronJobs();
crons.interval('tick', { seconds: 1 }, makeFunctionReference<'mutation'>('counters:increment'), { name: 'ticks' });
export default crons;
`,
      );
      expect((await deploy())?.changed).toContain('crons.js');
      await using clients = convexClients(app.server.url);
      using ticks = watchQuery(
        clients.open(),
        makeFunctionReference<'query', { name: string }, number>(
          'counters:get',
        ),
        { name: 'ticks' },
      );
      expect(await ticks.next((value) => value > 0)).toBeGreaterThan(0);

      // Through the CLI's source maps, the author's files, as the CLI names
      // them from its output folder beside convex/.
      project.write(
        'lib/explode.ts',
        `export function explode(what: string): never {\n  throw new Error('exploded ' + what);\n}\n`,
      );
      project.write(
        'broken.ts',
        `import { explode } from './lib/explode';\nexport const x = 1;\nexplode('at import');\n`,
      );
      const broken = await project.run(['deploy', '--typecheck', 'disable']);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(
        [
          'Error: exploded at import',
          '    at explode (../convex/lib/explode.ts:2:9)',
          '    at ../convex/broken.ts:3:1',
        ].join('\n'),
      );
    },
    2 * DEPLOY_TIMEOUT_MS,
  );
});

interface RecordingProxy extends AsyncDisposable {
  url: string;
  /** The modules of each start_push, by path: those sent, and those named by hash. */
  pushes: { changed: string[]; unchanged: string[] }[];
}

/** An HTTP proxy to `target` that reads the CLI's push bodies on the way. */
async function recordingProxy(target: string): Promise<RecordingProxy> {
  const to = new URL(target);
  const pushes: RecordingProxy['pushes'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (request.url === '/api/deploy2/start_push') {
        const json = (
          request.headers['content-encoding'] === 'br'
            ? brotliDecompressSync(body)
            : body
        ).toString();
        const { appDefinition } = JSON.parse(json) as {
          appDefinition: {
            changedModules: { path: string }[];
            unchangedModuleHashes: { path: string }[];
          };
        };
        pushes.push({
          changed: appDefinition.changedModules.map((m) => m.path),
          unchanged: appDefinition.unchangedModuleHashes.map((m) => m.path),
        });
      }
      const upstream = forward(
        {
          host: to.hostname,
          port: to.port,
          path: request.url,
          method: request.method,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pushes,
    [Symbol.asyncDispose]: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('test/apps/auth, deployed by the CLI', () => {
  const auth = join(apps, 'auth');
  const whoami = makeFunctionReference<
    'query',
    Record<string, never>,
    Record<string, unknown> | null
  >('whoami');

  test(
    'is refused until AUTH_JWKS is set, then a token signed with its keys is who whoami sees, as served',
    async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] };
      const jwksUri = `data:application/json;base64,${Buffer.from(JSON.stringify(jwks)).toString('base64')}`;
      // The issuer and audience auth.config.ts names.
      const token = await new SignJWT({ email: 'ada@example.com' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('https://auth.converge.test')
        .setAudience('converge-tests')
        .setSubject('user_1')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      const identityAt = async (url: string) => {
        await using clients = convexClients(url);
        const client = clients.open();
        const confirmed = await new Promise<boolean>((resolve) => {
          client.setAuth(async () => token, resolve);
        });
        expect(confirmed).toBe(true);
        return await client.query(whoami, {});
      };

      await using server = await startTestServer('none', {
        functions: join(tmpdir(), `converge-no-functions-${randomUUID()}`),
      });
      await using project = convexProject(
        { url: server.url, adminKey: TEST_ADMIN_KEY },
        appFiles(auth),
      );
      const unset = await project.run(['deploy', '--typecheck', 'disable']);
      expect(unset.code).toBe(1);
      expect(unset.stderr).toContain(
        'Environment variable AUTH_JWKS is used in auth config file but its value was not set',
      );
      const set = await project.run(['env', 'set', 'AUTH_JWKS', jwksUri]);
      expect(set.code, set.stderr).toBe(0);
      const deploy = await project.run(['deploy', '--typecheck', 'disable']);
      expect(deploy.code, deploy.stderr).toBe(0);

      const pushed = await identityAt(server.url);
      expect(pushed).toMatchObject({
        tokenIdentifier: 'https://auth.converge.test|user_1',
        email: 'ada@example.com',
      });
      const envDir = mkdtempSync(join(tmpdir(), 'converge-auth-env-'));
      try {
        writeFileSync(join(envDir, '.env'), `AUTH_JWKS=${jwksUri}\n`);
        const served = await whileServed(
          auth,
          (servedServer) => identityAt(servedServer.url),
          { envFile: join(envDir, '.env') },
        );
        expect(pushed).toEqual(served);
      } finally {
        rmSync(envDir, { recursive: true, force: true });
      }
    },
    DEPLOY_TIMEOUT_MS,
  );
});

describe('test/apps/http-api, deployed by the CLI', () => {
  const httpApi = join(apps, 'http-api');
  let app: Deployed;
  beforeAll(async () => {
    app = await deployed(httpApi);
  }, DEPLOY_TIMEOUT_MS);
  afterAll(async () => {
    await app[Symbol.asyncDispose]();
  });

  test('lists the functions it lists served', async () => {
    await expectSameFunctions(httpApi, app.server);
  });

  describeHttpClient('passes its ConvexHttpClient contract', () => app.server);
});

describe('test/apps/paginated, deployed by the CLI', () => {
  const paginated = join(apps, 'paginated');
  let app: Deployed;
  beforeAll(async () => {
    app = await deployed(paginated);
  }, DEPLOY_TIMEOUT_MS);
  afterAll(async () => {
    await app[Symbol.asyncDispose]();
  });

  test('lists the functions it lists served', async () => {
    await expectSameFunctions(paginated, app.server);
  });

  test('pages through its items to the end, in rank order, each page where the last ended', async () => {
    interface Item {
      _id: string;
      rank: number;
    }
    const list = makeFunctionReference<
      'query',
      { paginationOpts: { numItems: number; cursor: string | null } },
      PaginationResult<Item>
    >('items:list');
    await using clients = convexClients(app.server.url);
    const client = clients.open();
    const ranks = [5, 3, 8, 1, 9, 2, 7];
    for (const rank of ranks)
      await client.mutation(
        makeFunctionReference<'mutation', { rank: number }, string>(
          'items:insert',
        ),
        { rank },
      );
    const pages: number[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: PaginationResult<Item> = await client.query(list, {
        paginationOpts: { numItems: 3, cursor },
      });
      pages.push(page.page.map((item) => item.rank));
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
    expect(pages.flat()).toEqual([...ranks].sort((a, b) => a - b));
    expect(pages.slice(0, -1).every((page) => page.length === 3)).toBe(true);
    const all = makeFunctionReference<'query', Record<string, never>, Item[]>(
      'items:all',
    );
    expect((await client.query(all, {})).map((item) => item.rank)).toEqual(
      pages.flat(),
    );
  });
});

describe('test/apps/bank, deployed by the CLI', () => {
  const bank = join(apps, 'bank');
  let app: Deployed;
  beforeAll(async () => {
    app = await deployed(bank);
  }, DEPLOY_TIMEOUT_MS);
  afterAll(async () => {
    await app[Symbol.asyncDispose]();
  });

  test('lists the functions it lists served', async () => {
    await expectSameFunctions(bank, app.server);
  });

  describeSerialOrder('passes its consistency contract', () => app.server);
});

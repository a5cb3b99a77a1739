/**
 * Security, the sandbox: user code runs in a `node:vm` realm, which is no
 * boundary by itself. The sandbox app's functions try the classic ways out
 * from a query, a mutation, an action and an HTTP action (a host object's
 * `constructor.constructor`, host errors and promises, console inspectors,
 * stack formatters, `import()`, `require`, a trapped `Promise#then` the host
 * might call) and answer what they got; none may reach the host's `process`.
 * `process.env` shows the deployment's variables and nothing of the host,
 * no route reads a file, and one deployment cannot read another's data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';
import { reportFigures } from './figures.ts';

type Results = Record<string, string>;
type None = Record<string, never>;
const fromQuery = makeFunctionReference<'query', None, Results>(
  'escapes:fromQuery',
);
const fromMutation = makeFunctionReference<'mutation', None, Results>(
  'escapes:fromMutation',
);
const fromAction = makeFunctionReference<'action', None, Results>(
  'escapes:fromAction',
);
const armThenTrap = makeFunctionReference<'mutation', None, null>(
  'escapes:armThenTrap',
);
const thenTrapCatch = makeFunctionReference<'query', None, string>(
  'escapes:thenTrapCatch',
);
const environment = makeFunctionReference<
  'query',
  None,
  {
    keys: string[];
    home: string | null;
    path: string | null;
    secret: string | null;
    mine: string | null;
  }
>('escapes:environment');
const readFile = makeFunctionReference<'action', { path: string }, Results>(
  'escapes:readFile',
);
const storeNote = makeFunctionReference<'mutation', { text: string }, string>(
  'secrets:storeNote',
);
const readNote = makeFunctionReference<
  'query',
  { id: string },
  { text: string } | null
>('secrets:readNote');

/** The probes that got out, by name. */
function escapes(results: Results): Results {
  return Object.fromEntries(
    Object.entries(results).filter(([, outcome]) =>
      outcome.startsWith('escaped'),
    ),
  );
}

let server: TestServer;
let envDir: string;
beforeAll(async () => {
  // A host variable the functions must not see, next to the deployment's own.
  process.env.CONVERGE_HOST_SECRET = 'host only';
  envDir = mkdtempSync(join(tmpdir(), 'converge-sandbox-env-'));
  writeFileSync(join(envDir, '.env'), 'SANDBOX_VARIABLE=deployment value\n');
  server = await startTestServer('sandbox', {
    envFile: join(envDir, '.env'),
  });
});
afterAll(async () => {
  delete process.env.CONVERGE_HOST_SECRET;
  await server.close();
  rmSync(envDir, { recursive: true, force: true });
});

describe('user code cannot reach the host', () => {
  test('from a query, a mutation and an action over the socket, every escape is blocked', async () => {
    await using clients = convexClients(server.url);
    const client = clients.open();

    const results = {
      query: await client.query(fromQuery, {}),
      mutation: await client.mutation(fromMutation, {}),
      action: await client.action(fromAction, {}),
    };
    for (const [kind, outcome] of Object.entries(results)) {
      // Every probe ran and answered.
      expect(Object.keys(outcome).length, kind).toBeGreaterThan(15);
      expect(escapes(outcome), kind).toEqual({});
    }
    // The ones that could only fail by reaching the realm's own Function did.
    expect(results.query['this.constructor.constructor']).toBe(
      'blocked: the realm Function',
    );
    expect(results.query['Convex.syscall']).toBe('blocked: the realm Function');
    expect(results.action['a timer handle']).toBe(
      'blocked: the realm Function',
    );
    reportFigures('sandbox escapes', {
      probes:
        Object.keys(results.query).length +
        Object.keys(results.mutation).length +
        Object.keys(results.action).length,
      escaped: Object.values(results).reduce(
        (sum, outcome) => sum + Object.keys(escapes(outcome)).length,
        0,
      ),
    });
  });

  test('from an HTTP action, neither the probes nor the Request it is handed reach the host', async () => {
    const response = await fetch(`${server.siteUrl}/escapes`, {
      method: 'POST',
      body: 'a body',
    });
    expect(response.status).toBe(200);
    const results = (await response.json()) as Results;
    expect(Object.keys(results).length).toBeGreaterThan(15);
    expect(escapes(results)).toEqual({});
    expect(results['the Request']).toBe('blocked: the realm Function');
  });

  test('a Promise#then patched by user code is never handed a host function', async () => {
    const http = new ConvexHttpClient(server.url, { logger: false });
    await http.mutation(armThenTrap, {});
    // Queries and mutations after the patch still work, and the trap caught
    // only realm functions.
    expect(escapes(await http.query(fromQuery, {}))).toEqual({});
    expect(await http.query(thenTrapCatch, {})).toMatch(/^blocked/);
  });

  test('process.env is the deployment’s variables and Convex’s system ones, and nothing of the host', async () => {
    const http = new ConvexHttpClient(server.url, { logger: false });
    const seen = await http.query(environment, {});
    expect(seen).toEqual({
      keys: [
        'IDENTITY_ISSUER',
        'SANDBOX_VARIABLE',
        'CONVEX_CLOUD_URL',
        'CONVEX_SITE_URL',
      ].filter((name) => seen.keys.includes(name)),
      home: null,
      path: null,
      secret: null,
      mine: 'deployment value',
    });
  });

  test('no route reads /etc/passwd or the data directory', async () => {
    const http = new ConvexHttpClient(server.url, { logger: false });
    for (const path of [
      '/etc/passwd',
      join(server.dataDir, 'converge.sqlite'),
      join(server.dataDir, 'admin_key'),
    ]) {
      const results = await http.action(readFile, { path });
      expect(Object.keys(results)).toHaveLength(4);
      expect(escapes(results), path).toEqual({});
    }
  });

  test('another deployment’s document ids read nothing', async () => {
    await using other = await startTestServer('sandbox');
    const mine = new ConvexHttpClient(server.url, { logger: false });
    const theirs = new ConvexHttpClient(other.url, { logger: false });
    const id = await theirs.mutation(storeNote, { text: 'theirs' });
    expect(await theirs.query(readNote, { id })).toMatchObject({
      text: 'theirs',
    });
    expect(await mine.query(readNote, { id })).toBeNull();
  });
});

/**
 * A push as the CLI makes it, against CodePush and a real store: the
 * modules are what the CLI's bundler would send (test/helpers/cli-bundle.ts);
 * "live" is whatever the last `goLive` was handed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cliBundle } from '../../test/helpers/cli-bundle.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { AppConfig } from './app-config.ts';
import { applySchema } from './apply-schema.ts';
import { CodePush, type PushRequest } from './code-push.ts';
import { readDeployedCode } from './deployed-code.ts';
import { type LoadedFunctions, loadFunctions } from './load-functions.ts';
import { moduleHash, readModules } from './stored-modules.ts';
import { systemTransaction } from './system-transaction.ts';

const MESSAGES_V1 = `
import { mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';
export const list = queryGeneric(async (ctx) => ctx.db.query('messages').collect());
export const send = mutationGeneric({
  args: { body: v.string() },
  handler: async (ctx, { body }) => ctx.db.insert('messages', { body }),
});
`;
const MESSAGES_V2 = `
import { queryGeneric } from 'convex/server';
export const list = queryGeneric(async () => 'version two');
`;
const SCHEMA = `
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  messages: defineTable({ body: v.string() }).index('by_body', ['body']),
});
`;

async function scratch(env: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'converge-push-'));
  const store = await openSqliteStore(join(root, 'store.sqlite'));
  const empty = await loadFunctions(join(root, 'none'));
  if (!empty.success) throw new Error(empty.error);
  await applySchema(store, null);
  const state = {
    live: {
      loaded: empty.loaded,
      config: { providers: [], crons: [] } as AppConfig,
    },
    wentLive: 0,
    env,
  };
  const push = new CodePush({
    store,
    env: () => state.env,
    live: () => state.live,
    directoryFingerprint: () => null,
    goLive: async (loaded, config) => {
      state.live = { loaded, config };
      state.wentLive += 1;
    },
  });
  let apps = 0;
  return {
    store,
    push,
    state,
    /** What the CLI would send for an app of these files. */
    async app(files: Record<string, string>): Promise<PushRequest> {
      const dir = join(root, `app${apps++}`);
      mkdirSync(dir);
      for (const [name, source] of Object.entries(files))
        writeFileSync(join(dir, name), source);
      const bundle = await cliBundle(dir);
      return {
        changed: bundle.modules,
        unchanged: [],
        schema: bundle.schema,
        udfServerVersion: '1.48.0',
      };
    },
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function functionPaths(loaded: LoadedFunctions): string[] {
  return [...loaded.functions.keys()].sort();
}

test('a push is evaluated and stored at start, and goes live only when it finishes', async () => {
  await using s = await scratch();
  const request = await s.app({
    'messages.ts': MESSAGES_V1,
    'schema.ts': SCHEMA,
  });

  const prepared = await s.push.prepare(request, { store: true });
  if (!prepared.success) throw new Error(prepared.error.message);
  // The analysis the CLI gets back names every function and the new index.
  expect(functionPaths(prepared.push.loaded)).toEqual([
    'messages:list',
    'messages:send',
  ]);
  expect(prepared.push.indexDiff.added).toEqual([
    {
      type: 'database',
      name: 'messages.by_body',
      fields: ['body', '_creationTime'],
    },
  ]);
  // Preparing changed nothing live: `npx convex codegen` stops here.
  expect(s.state.wentLive).toBe(0);
  expect(await readDeployedCode(s.store)).toBeNull();

  const finished = await s.push.finish(prepared.push.plan, {});
  expect(finished.success).toBe(true);
  expect(s.state.wentLive).toBe(1);
  expect(functionPaths(s.state.live.loaded)).toEqual([
    'messages:list',
    'messages:send',
  ]);
  // The record names each module by the hash the CLI computes: source, then source map.
  const deployed = await readDeployedCode(s.store);
  expect(deployed?.modules.map((m) => m.path).sort()).toEqual(
    request.changed.map((m) => m.path).sort(),
  );
  for (const module of request.changed)
    expect(deployed?.modules).toContainEqual({
      path: module.path,
      environment: 'isolate',
      sha256: moduleHash(module),
    });
});

test('modules the CLI names as unchanged are taken from the store, and a hash it does not have is refused', async () => {
  await using s = await scratch();
  const first = await s.app({
    'messages.ts': MESSAGES_V1,
    'other.ts': MESSAGES_V2,
  });
  const prepared = await s.push.prepare(first, { store: true });
  if (!prepared.success) throw new Error(prepared.error.message);
  await s.push.finish(prepared.push.plan, {});
  const deployed = await readDeployedCode(s.store);

  // The CLI sends nothing whole: every module is unchanged.
  const again = await s.push.prepare(
    { ...first, changed: [], unchanged: deployed?.modules ?? [] },
    { store: true },
  );
  if (!again.success) throw new Error(again.error.message);
  expect(functionPaths(again.push.loaded)).toEqual([
    'messages:list',
    'messages:send',
    'other:list',
  ]);

  const unknown = await s.push.prepare(
    {
      ...first,
      changed: [],
      unchanged: [
        { path: 'messages.js', environment: 'isolate', sha256: '0'.repeat(64) },
      ],
    },
    { store: true },
  );
  expect(unknown).toMatchObject({
    success: false,
    error: { code: 'ModulesNotFound' },
  });
});

test('code that fails at import is refused with its error, stores nothing and leaves the live code alone', async () => {
  await using s = await scratch();
  const broken = await s.app({
    'broken.ts': `import { queryGeneric } from 'convex/server';
      export const q = queryGeneric(async () => 1);
      throw new Error('this module does not load');`,
  });
  const prepared = await s.push.prepare(broken, { store: true });
  expect(prepared).toMatchObject({
    success: false,
    error: { code: 'InvalidModules' },
  });
  expect(prepared.success || prepared.error.message).toContain(
    'this module does not load',
  );
  const tx = await s.store.begin();
  const stored = await tx.scan({
    table: '_module_sources',
    index: 'by_creation_time',
    eq: [],
    order: 'asc',
    limit: 1,
  });
  expect(stored.documents).toEqual([]);
  expect(s.state.wentLive).toBe(0);
});

test("code that fails at import is shown through the CLI's source maps: the author's files and lines, none of the server's", async () => {
  await using s = await scratch();
  const broken = await s.app({
    'helper.ts': `export function explode(what: string): never {
  throw new Error('exploded ' + what);
}
`,
    'broken.ts': `import { explode } from './helper';
export const x = 1;
explode('at import');
`,
  });
  const prepared = await s.push.prepare(broken, { store: true });
  const message = prepared.success ? '' : prepared.error.message;
  // The CLI's maps name sources from its output folder, beside the app's.
  expect(message).toContain(
    [
      'Error: exploded at import',
      '    at explode (../helper.ts:2:9)',
      '    at ../broken.ts:3:1',
    ].join('\n'),
  );
  expect(message).not.toMatch(/converge:functions|src\/runtime/);
});

test('a push does not finish when the environment variables changed since it started', async () => {
  await using s = await scratch({ GREETING: 'hello' });
  const prepared = await s.push.prepare(
    await s.app({ 'messages.ts': MESSAGES_V1 }),
    {
      store: true,
    },
  );
  if (!prepared.success) throw new Error(prepared.error.message);
  s.state.env = { GREETING: 'bonjour' };
  const finished = await s.push.finish(prepared.push.plan, prepared.push.env);
  expect(finished).toMatchObject({
    success: false,
    error: { code: 'RaceDetected' },
  });
  expect(s.state.wentLive).toBe(0);
});

test('an auth config that reads an unset variable names it, as the CLI expects', async () => {
  await using s = await scratch();
  const request = await s.app({
    'messages.ts': MESSAGES_V1,
    'auth.config.ts': `export default { providers: [
      { domain: process.env.AUTH_DOMAIN, applicationID: 'converge' },
    ] };`,
  });
  const prepared = await s.push.prepare(request, { store: true });
  expect(prepared).toMatchObject({
    success: false,
    error: { code: 'AuthConfigMissingEnvironmentVariable' },
  });
  expect(prepared.success || prepared.error.message).toMatch(
    /^Environment variable AUTH_DOMAIN is used in auth config file but its value was not set/,
  );

  s.state.env = { AUTH_DOMAIN: 'https://issuer.example' };
  const withVariable = await s.push.prepare(request, { store: true });
  if (!withVariable.success) throw new Error(withVariable.error.message);
  expect(withVariable.push.config.providers).toEqual([
    {
      type: 'oidc',
      domain: 'https://issuer.example',
      applicationID: 'converge',
    },
  ]);
});

test('a schema the stored documents break fails the schema check and the push, naming the table', async () => {
  await using s = await scratch();
  await systemTransaction(s.store, (tx) => tx.insert('messages', { body: 42 }));
  const request = await s.app({
    'messages.ts': MESSAGES_V1,
    'schema.ts': SCHEMA,
  });
  const prepared = await s.push.prepare(request, { store: true });
  if (!prepared.success) throw new Error(prepared.error.message);

  const status = await s.push.schemaStatus(prepared.push.plan);
  expect(status).toMatchObject({
    success: true,
    check: { success: false, table: 'messages' },
  });
  expect(status.success && !status.check.success && status.check.error).toMatch(
    /^Schema validation failed\.\nDocument with ID "[^"]+" in table "messages" does not match the schema/,
  );
  expect(await s.push.finish(prepared.push.plan, {})).toMatchObject({
    success: false,
    error: { code: 'SchemaValidationFailed' },
  });
  expect(s.state.wentLive).toBe(0);
});

test('the plan alone finishes a push: another CodePush on the same store evaluates it again from the stored modules', async () => {
  await using s = await scratch();
  const prepared = await s.push.prepare(
    await s.app({ 'messages.ts': MESSAGES_V2 }),
    {
      store: true,
    },
  );
  if (!prepared.success) throw new Error(prepared.error.message);
  const elsewhere = { live: s.state.live, wentLive: 0 };
  const other = new CodePush({
    store: s.store,
    env: () => ({}),
    live: () => elsewhere.live,
    directoryFingerprint: () => null,
    goLive: async (loaded, config) => {
      elsewhere.live = { loaded, config };
      elsewhere.wentLive += 1;
    },
  });
  const plan = JSON.parse(
    JSON.stringify(prepared.push.plan),
  ) as typeof prepared.push.plan;
  expect(await other.finish(plan, {})).toMatchObject({ success: true });
  expect(elsewhere.wentLive).toBe(1);
  expect(functionPaths(elsewhere.live.loaded)).toEqual(['messages:list']);
});

test('the modules only the replaced code used are deleted once a push finishes', async () => {
  await using s = await scratch();
  const first = await s.app({
    'messages.ts': MESSAGES_V1,
    'other.ts': MESSAGES_V2,
  });
  const one = await s.push.prepare(first, { store: true });
  if (!one.success) throw new Error(one.error.message);
  await s.push.finish(one.push.plan, {});
  const before = new Map(one.push.plan.modules.map((m) => [m.path, m.sha256]));

  const second = await s.app({ 'messages.ts': MESSAGES_V2 });
  const two = await s.push.prepare(second, { store: true });
  if (!two.success) throw new Error(two.error.message);
  await s.push.finish(two.push.plan, {});

  const gone = [before.get('messages.js'), before.get('other.js')] as string[];
  expect(await readModules(s.store, gone.slice(0, 1))).toBeNull();
  expect(await readModules(s.store, gone.slice(1))).toBeNull();
  const live = two.push.plan.modules.map((m) => m.sha256);
  expect((await readModules(s.store, live))?.size).toBe(new Set(live).size);
});

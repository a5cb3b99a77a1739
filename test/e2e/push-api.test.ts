/**
 * The push routes at the HTTP level, for what the CLI test cannot provoke:
 * a wrong admin key anywhere, a body far over the 16 MiB of other routes,
 * a finish_push for a push this deployment never started, and the one
 * route that may be missing.
 */
import { brotliCompressSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { TEST_ADMIN_KEY, startTestServer } from '../helpers/converge-server.ts';

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

test('every push route refuses a wrong or missing admin key with 403 BadDeployKey, in the header or the body', async () => {
  await using server = await startTestServer('basic');
  const route = `${server.url}/api/get_config_hashes`;
  const refused = { status: 403, body: { code: 'BadDeployKey' } };
  expect(await post(route, { version: '1.48.0' })).toMatchObject(refused);
  expect(
    await post(route, { version: '1.48.0', adminKey: 'converge|wrong' }),
  ).toMatchObject(refused);
  expect(
    await post(
      route,
      { version: '1.48.0' },
      { authorization: 'Convex converge|wrong' },
    ),
  ).toMatchObject(refused);
  for (const path of ['start_push', 'wait_for_schema', 'finish_push'])
    expect(
      await post(`${server.url}/api/deploy2/${path}`, {
        adminKey: 'converge|wrong',
      }),
    ).toMatchObject(refused);
  const canonical = await fetch(`${server.url}/api/v1/get_canonical_urls`);
  expect(canonical.status).toBe(403);

  // The key in the body alone is enough, as the CLI sends it.
  expect(
    await post(route, { version: '1.48.0', adminKey: TEST_ADMIN_KEY }),
  ).toMatchObject({
    status: 200,
    body: { config: { functions: 'convex/' }, moduleHashes: [] },
  });
});

test('a push body may be compressed, and far larger than a function call', async () => {
  await using server = await startTestServer('basic');
  const push = (source: string, path = 'notes.js') => ({
    adminKey: TEST_ADMIN_KEY,
    dryRun: true,
    functions: 'convex/',
    appDefinition: {
      definition: null,
      dependencies: [],
      schema: null,
      changedModules: [{ path, source, environment: 'isolate' }],
      unchangedModuleHashes: [],
      udfServerVersion: '1.48.0',
    },
    componentDefinitions: [],
    nodeDependencies: [],
  });
  const route = `${server.url}/api/deploy2/evaluate_push`;
  expect(
    await post(
      route,
      brotliCompressSync(JSON.stringify(push('export const a = 1;'))),
      { 'content-encoding': 'br' },
    ),
  ).toMatchObject({
    status: 200,
    body: { schemaChange: { indexDiffs: { '': { added_indexes: [] } } } },
  });
  // 20 MiB, over the 16 MiB other routes take, reaches the route whole: it
  // is refused for its module path, not its size.
  const large = push(`// ${'x'.repeat(20 * 1024 * 1024)}`, '../escape.js');
  const refused = await post(route, large);
  expect(refused).toMatchObject({
    status: 400,
    body: { code: 'InvalidPushRequest' },
  });
  expect(JSON.stringify(refused.body)).toContain('../escape.js');
  expect(
    await post(`${server.url}/api/query`, { path: 'x', args: large }),
  ).toMatchObject({ status: 400, body: { code: 'BadJsonBody' } });
});

test('finish_push for a push this deployment did not start is a 400, and evaluate_schema is absent', async () => {
  await using server = await startTestServer('basic');
  expect(
    await post(`${server.url}/api/deploy2/finish_push`, {
      adminKey: TEST_ADMIN_KEY,
      startPush: { schemaChange: { schemaIds: 'from elsewhere' } },
      dryRun: false,
    }),
  ).toMatchObject({ status: 400, body: { code: 'InvalidPushRequest' } });
  // The CLI skips its advisory schema preview on a 404 here, at once.
  const schema = await post(`${server.url}/api/deploy2/evaluate_schema`, {
    adminKey: TEST_ADMIN_KEY,
  });
  expect(schema.status).toBe(404);
});

/**
 * The functions' environment: `--env-file` gives `process.env` its
 * variables, and the admin API (`setEnvironment` underneath) changes them
 * at run time, rerunning the subscribed queries on their open sockets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { TEST_ADMIN_KEY, startTestServer } from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const greeting = makeFunctionReference<
  'query',
  Record<string, never>,
  string | null
>('settings:greeting');

function envFile(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'converge-env-'));
  const path = join(dir, '.env.local');
  writeFileSync(path, text);
  return {
    path,
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test('the env file is process.env in functions, and setEnvironment reaches subscribers on the same socket', async () => {
  using file = envFile('# what the app says\nGREETING="hello from the file"\n');
  await using server = await startTestServer('dev', { envFile: file.path });
  await using clients = convexClients(server.url);
  const client = clients.open();
  using watched = watchQuery(client, greeting, {});
  expect(await watched.next()).toBe('hello from the file');

  server.setEnvironment({ GREETING: 'set at run time' });
  expect(await watched.next((v) => v === 'set at run time')).toBe(
    'set at run time',
  );
  expect(client.connectionState().connectionCount).toBe(1);

  server.setEnvironment({});
  expect(await watched.next((v) => v === null)).toBeNull();
});

test('an env file that cannot be read stops the start with the reason', async () => {
  await expect(
    startTestServer('dev', { envFile: '/nonexistent/.env.local' }),
  ).rejects.toThrow('cannot read the environment file /nonexistent/.env.local');
});

test('the admin API sets and removes variables for every subscriber, over the file, and a server started on the same data sees them', async () => {
  using file = envFile('GREETING="hello from the file"\n');
  await using server = await startTestServer('dev', { envFile: file.path });
  await using clients = convexClients(server.url);
  using watched = watchQuery(clients.open(), greeting, {});
  expect(await watched.next()).toBe('hello from the file');

  const update = (
    changes: unknown,
    authorization = `Convex ${TEST_ADMIN_KEY}`,
  ) =>
    fetch(`${server.url}/api/update_environment_variables`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ changes }),
    });
  expect(
    (await update([{ name: 'GREETING', value: 'set by an admin' }])).status,
  ).toBe(200);
  expect(await watched.next((v) => v === 'set by an admin')).toBe(
    'set by an admin',
  );

  const refused = await update([{ name: '9LIVES', value: 'x' }]);
  expect(refused.status).toBe(400);
  expect(await refused.json()).toMatchObject({
    code: 'InvalidEnvironmentVariables',
  });
  expect(
    (await update([{ name: 'GREETING', value: 'x' }], 'Bearer not-admin'))
      .status,
  ).toBe(401);

  await using restarted = await startTestServer('dev', {
    envFile: file.path,
    data: server.dataDir,
    port: 0,
  });
  await using elsewhere = convexClients(restarted.url);
  using again = watchQuery(elsewhere.open(), greeting, {});
  expect(await again.next()).toBe('set by an admin');

  expect((await update([{ name: 'GREETING', value: null }])).status).toBe(200);
  expect(await watched.next((v) => v === 'hello from the file')).toBe(
    'hello from the file',
  );
});

const urls = makeFunctionReference<
  'query',
  Record<string, never>,
  { cloud: string | null; site: string | null }
>('env:urls');

test('functions see CONVEX_CLOUD_URL and CONVEX_SITE_URL: where clients reach the deployment and its HTTP actions', async () => {
  await using server = await startTestServer('cli');
  await using clients = convexClients(server.url);
  const client = clients.open();
  expect(await client.query(urls, {})).toEqual({
    cloud: server.url,
    site: server.siteUrl,
  });
  // Set alongside the deployment's own variables, which do not hide them.
  server.setEnvironment({ GREETING: 'hello' });
  expect(await client.query(urls, {})).toEqual({
    cloud: server.url,
    site: server.siteUrl,
  });
});

test('behind a load balancer, the configured origins are what functions see', async () => {
  await using server = await startTestServer('cli', {
    cloudOrigin: 'https://api.example.com',
    siteOrigin: 'https://example.com',
  });
  await using clients = convexClients(server.url);
  expect(await clients.open().query(urls, {})).toEqual({
    cloud: 'https://api.example.com',
    site: 'https://example.com',
  });
});

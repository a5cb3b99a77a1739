/**
 * The functions' environment: `--env-file` gives `process.env` its
 * variables, and `setEnvironment` (what an admin API will call) changes them
 * at run time, rerunning the subscribed queries on their open sockets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { startTestServer } from '../helpers/converge-server.ts';
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

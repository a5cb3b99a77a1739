/**
 * Security, sizes: a document over 1 MiB is refused with Convex's text over
 * the socket and HTTP, and the connection stays usable after it; so are
 * arguments over 16 MiB, which never reach the function by either road.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { reportFigures } from './figures.ts';

const storeSized = makeFunctionReference<'mutation', { bytes: number }, string>(
  'secrets:storeSized',
);
const echoSize = makeFunctionReference<'mutation', { text: string }, number>(
  'secrets:echoSize',
);
const MIB = 1024 * 1024;

test('a document over 1 MiB is refused with Convex’s text over the socket and HTTP', async () => {
  await using server = await startTestServer('sandbox');
  await using clients = convexClients(server.url);
  const client = clients.open();
  const http = new ConvexHttpClient(server.url, { logger: false });

  await expect(
    client.mutation(storeSized, { bytes: MIB + 1024 }),
  ).rejects.toThrow(
    /Value is too large \(\d+ bytes > maximum size 1048576 bytes\)/,
  );
  await expect(
    http.mutation(storeSized, { bytes: MIB + 1024 }),
  ).rejects.toThrow(/Value is too large/);
  expect(await client.mutation(storeSized, { bytes: 1024 })).toEqual(
    expect.any(String),
  );
});

test('arguments over 16 MiB are refused over the socket and HTTP', async () => {
  await using server = await startTestServer('sandbox');
  await using clients = convexClients(server.url);
  const client = clients.open();
  const http = new ConvexHttpClient(server.url, { logger: false });

  const oversized = 'x'.repeat(16 * MIB + 1024);
  const socketRefusal = await client
    .mutation(echoSize, { text: oversized })
    .then(
      (size) => `accepted ${size}`,
      (error: unknown) =>
        error instanceof Error ? error.message : String(error),
    );
  const httpRefusal = await http.mutation(echoSize, { text: oversized }).then(
    (size) => `accepted ${size}`,
    (error: unknown) =>
      error instanceof Error ? error.message : String(error),
  );
  reportFigures('argument size limit', {
    socketOver16MiB: socketRefusal.slice(0, 120),
    httpOver16MiB: httpRefusal.slice(0, 120),
  });
  const refusal =
    /Arguments for secrets\.js:echoSize are too large \(actual: 16 MiB, limit: 16 MiB\)/;
  expect(socketRefusal).toMatch(refusal);
  expect(httpRefusal).toMatch(refusal);
  expect(await client.mutation(echoSize, { text: 'small' })).toBe(5);
});

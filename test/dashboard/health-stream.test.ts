/**
 * The Health figures pushed by a running server: one snapshot at once, one
 * a second after, what the server is doing in them (a mutation's commit, a
 * session's subscription), only for the admin, and the stream ended when
 * the server closes.
 */
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { TEST_ADMIN_KEY, startTestServer } from '../helpers/converge-server.ts';
import { add, list } from '../helpers/notes-api.ts';
import { watchQuery } from '../helpers/query-watch.ts';

/** Lines of an NDJSON body, as they arrive. */
async function* lines(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
}

test('an admin watching the health stream sees sessions, commits and run latency, a second apart', async () => {
  // Disposed in the middle too: closing twice is closing once.
  await using server = await startTestServer('e2e');
  await using clients = convexClients(server.url);
  const client = clients.open();
  using watched = watchQuery(client, list, { list: 'health' });
  await watched.next();
  await client.mutation(add, { list: 'health', text: 'one' });

  const response = await fetch(`${server.url}/api/dashboard/health`, {
    headers: { authorization: `Convex ${TEST_ADMIN_KEY}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/x-ndjson');
  const stream = lines(response.body as ReadableStream<Uint8Array>);
  const first = JSON.parse((await stream.next()).value as string) as Record<
    string,
    unknown
  >;
  expect(first).toMatchObject({
    process: { version: 'test', transport: expect.any(String) as string },
    sync: { sessions: 1, subscriptions: 1, distinctQueries: 1 },
    commits: { total: expect.any(Number) as number },
    occRetries: { total: 0 },
    functions: expect.arrayContaining([
      expect.objectContaining({ kind: 'mutation', runs: 1, failed: 0 }),
    ]) as unknown,
  });
  expect((first['commits'] as { total: number }).total).toBeGreaterThanOrEqual(
    1,
  );
  const second = JSON.parse((await stream.next()).value as string) as {
    at: number;
  };
  expect(second.at - (first['at'] as number)).toBeGreaterThanOrEqual(900);

  // Closing the server ends the stream rather than waiting on it.
  await server[Symbol.asyncDispose]();
  for (;;) {
    const next = await stream.next();
    if (next.done) break;
  }
});

test('without the admin key there are no figures', async () => {
  await using server = await startTestServer('e2e');
  const anonymous = await fetch(`${server.url}/api/dashboard/health`);
  expect(anonymous.status).toBe(403);
  const wrong = await fetch(`${server.url}/api/dashboard/health`, {
    headers: { authorization: 'Convex converge|not-the-key' },
  });
  expect(wrong.status).toBeGreaterThanOrEqual(401);
  expect(wrong.status).toBeLessThanOrEqual(403);
  const elsewhere = await fetch(`${server.url}/api/dashboard/else`, {
    headers: { authorization: `Convex ${TEST_ADMIN_KEY}` },
  });
  expect(elsewhere.status).toBe(404);
});

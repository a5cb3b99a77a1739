/**
 * `converge serve` as an operator stops it: a real child process, sent
 * SIGTERM (what a container runtime sends) or SIGINT (Ctrl-C). It closes its
 * sockets, finishes in-flight work, logs that it did, and exits 0. On
 * SIGTERM it first drains for `CONVERGE_DRAIN_MS` (0 in these tests unless
 * one sets it): `/health` answers 503 while everything else is served.
 */
import { Agent, get } from 'node:http';
import { makeFunctionReference } from 'convex/server';
import { describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { startServerProcess } from '../helpers/converge-process.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const list = makeFunctionReference<'query', { list: string }, unknown[]>(
  'notes:list',
);
const add = makeFunctionReference<'mutation', { list: string; text: string }>(
  'notes:add',
);

/** `/health` asked again and again until it answers other than 200: that answer. */
async function healthOnceNotOk(url: string): Promise<[number, unknown]> {
  for (;;) {
    const response = await fetch(`${url}/health`);
    const body: unknown = await response.json();
    if (response.status !== 200) return [response.status, body];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The messages of the JSON log lines a process wrote. */
function messagesOf(logs: string): string[] {
  return logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe('converge serve stopped by a signal', () => {
  test('SIGTERM with a client subscribed: a shutdown log line, then exit code 0', async () => {
    await using server = await startServerProcess('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();
    using notes = watchQuery(client, list, { list: 'shutdown' });
    expect(await notes.next()).toEqual([]);

    const { code, logs } = await server.stop('SIGTERM');

    expect(code).toBe(0);
    const messages = messagesOf(logs);
    expect(messages[0]).toMatch(/^serving .* at http:\/\/127\.0\.0\.1:\d+$/);
    expect(messages.slice(-2)).toEqual([
      'SIGTERM: shutting down after in-flight work (again to exit at once)',
      'stopped',
    ]);
  });

  test('an idle keep-alive HTTP connection does not keep a stopped server alive', async () => {
    await using server = await startServerProcess('e2e');
    const agent = new Agent({ keepAlive: true });
    const version = await new Promise<number>((resolve, reject) => {
      get(`${server.url}/version`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      }).on('error', reject);
    });
    expect(version).toBe(200);
    const started = Date.now();
    const { code } = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    agent.destroy();
  });

  test('SIGTERM with a drain time: /health answers 503 draining while the client is still served, then it stops', async () => {
    await using server = await startServerProcess('e2e', {
      env: { CONVERGE_DRAIN_MS: '3000' },
    });
    await using clients = convexClients(server.url);
    const client = clients.open();
    using notes = watchQuery(client, list, { list: 'draining' });
    expect(await notes.next()).toEqual([]);

    const stopped = server.stop('SIGTERM');
    const [status, body] = await healthOnceNotOk(server.url);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'draining', store: 'reachable' });
    await client.mutation(add, { list: 'draining', text: 'while draining' });
    expect(await notes.next((n) => n.length === 1)).toMatchObject([
      { text: 'while draining' },
    ]);

    const { code, logs } = await stopped;
    expect(code).toBe(0);
    expect(messagesOf(logs).slice(-3)).toEqual([
      'SIGTERM: shutting down after in-flight work (again to exit at once)',
      'draining: /health answers 503 for 3000 ms, then the sockets close',
      'stopped',
    ]);
  });

  test('SIGINT, as from Ctrl-C, stops it the same way, without draining', async () => {
    await using server = await startServerProcess('e2e', {
      env: { CONVERGE_DRAIN_MS: '600000' },
    });
    const { code, logs } = await server.stop('SIGINT');
    expect(code).toBe(0);
    expect(messagesOf(logs).at(-1)).toBe('stopped');
  });
});

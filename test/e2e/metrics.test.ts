/**
 * `GET /metrics` as a Prometheus scraper reads it, while the official
 * clients work: commits, function runs from the HTTP API and the sync
 * socket alike, HTTP requests, sync sockets and their subscriptions, and
 * the sizes of the Transitions sent.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const get = makeFunctionReference<'query', { name: string }, bigint>(
  'counters:get',
);
const add = makeFunctionReference<
  'mutation',
  { name: string; by: bigint },
  bigint
>('counters:add');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('http-api');
});
afterAll(async () => {
  await server.close();
});

/** The value of the first sample whose line starts with `series`, or 0 when there is none yet. */
async function sample(series: string): Promise<number> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const line = (await response.text())
    .split('\n')
    .find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const runs = (kind: string, outcome: string) =>
  `converge_function_duration_seconds_count{kind="${kind}",outcome="${outcome}"}`;

describe('GET /metrics', () => {
  test('counts what the HTTP API runs: requests, function runs by outcome, commits', async () => {
    const http = new ConvexHttpClient(server.url);
    const before = {
      commits: await sample('converge_commits_total'),
      mutations: await sample(runs('mutation', 'success')),
      refused: await sample(runs('mutation', 'error')),
    };

    await http.mutation(add, { name: 'scraped', by: 1n });
    await expect(
      http.mutation(add, { name: 'scraped', by: -1n }),
    ).rejects.toThrow();

    expect(await sample('converge_commits_total')).toBe(before.commits + 1);
    expect(await sample(runs('mutation', 'success'))).toBe(
      before.mutations + 1,
    );
    expect(await sample(runs('mutation', 'error'))).toBe(before.refused + 1);
    expect(
      await sample(
        'converge_http_requests_total{method="POST",route="/api/mutation",status="200"}',
      ),
    ).toBeGreaterThanOrEqual(2);
  });

  test('counts the sync socket: connections, subscriptions, its function runs and Transition sizes', async () => {
    expect(await sample('converge_sync_connections')).toBe(0);
    expect(await sample('converge_sync_subscriptions')).toBe(0);
    const queries = await sample(runs('query', 'success'));
    const transitions = await sample('converge_sync_transition_bytes_count');

    await using clients = convexClients(server.url);
    const alice = clients.open();
    const bob = clients.open();
    using seenByAlice = watchQuery(alice, get, { name: 'live' });
    using seenByBob = watchQuery(bob, get, { name: 'live' });
    await seenByAlice.next();
    await seenByBob.next();

    // Two clients, one subscription each, one distinct query between them.
    expect(await sample('converge_sync_connections')).toBe(2);
    expect(await sample('converge_sync_subscriptions')).toBe(2);
    expect(await sample('converge_sync_distinct_queries')).toBe(1);
    expect(await sample(runs('query', 'success'))).toBe(queries + 1);

    // A mutation from the socket reruns the query once for both subscribers.
    const mutations = await sample(runs('mutation', 'success'));
    await alice.mutation(add, { name: 'live', by: 2n });
    await seenByBob.next((value) => value === 2n);
    expect(await sample(runs('mutation', 'success'))).toBe(mutations + 1);
    expect(await sample(runs('query', 'success'))).toBe(queries + 2);

    // Each client got its first result and the new one; Alice also the
    // Transition that answered her mutation's timestamp.
    const sent = await sample('converge_sync_transition_bytes_count');
    expect(sent - transitions).toBeGreaterThanOrEqual(4);
    expect(await sample('converge_sync_transition_bytes_sum')).toBeGreaterThan(
      100 * (sent - transitions),
    );
    expect(
      await sample('converge_sync_transition_bytes_bucket{le="+Inf"}'),
    ).toBe(sent);
  });
});

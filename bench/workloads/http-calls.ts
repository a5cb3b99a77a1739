/**
 * W8, the HTTP API and HTTP actions: 8 callers in closed loops (several
 * requests in flight, over Node's `fetch` and its keep-alive connections),
 * next to a raw uWS HTTP route answering the same request with a JSON body
 * of the same size:
 *
 * - `ConvexHttpClient.query` of `counters:get` (`POST /api/query`);
 * - `ConvexHttpClient.mutation` of `items:insert` (`POST /api/mutation`);
 * - the bench app's HTTP action `POST /echo` on the site port, by `fetch`.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { type BaselineServer, withBaselineServer } from '../baseline-server.ts';
import { type ThroughputResult, closedLoop } from '../closed-loop.ts';
import { fmtMs, fmtRate, fmtRatio, markdownTable } from '../markdown-table.ts';
import { withServerUnderTest } from '../server-under-test.ts';
import type { Timing } from '../timing.ts';

const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);
const insert = makeFunctionReference<
  'mutation',
  { key: string; body: string },
  null
>('items:insert');

export interface HttpCallsRow {
  workload: string;
  converge: ThroughputResult;
  raw: ThroughputResult;
  requestBytes: number;
  responseBytes: number;
  /** Calls per second over raw requests per second. */
  ratio: number;
}

export interface HttpCallsResult {
  callers: number;
  rows: HttpCallsRow[];
}

const CALLERS = 8;
const BODY = 'hello world, a small document';

interface Call {
  workload: string;
  /** One call as the official client (or a browser, for the action) makes it. */
  call: (caller: number, n: number) => Promise<void>;
  /** The same request by hand, to size the raw route's request and answer. */
  url: string;
  body: string;
}

export async function benchHttpCalls(options: {
  timing: Timing;
}): Promise<HttpCallsResult> {
  return withServerUnderTest((server) =>
    withBaselineServer(async (raw) => {
      const clients = Array.from(
        { length: CALLERS },
        () => new ConvexHttpClient(server.url, { logger: false }),
      );
      const client = (caller: number) => {
        const found = clients[caller];
        if (!found) throw new Error(`no client ${caller}`);
        return found;
      };
      const echoBody = JSON.stringify({ message: BODY });
      const calls: Call[] = [
        {
          workload: 'query (ConvexHttpClient, counters:get)',
          call: async (caller) => {
            await client(caller).query(get, { name: 'http' });
          },
          url: `${server.url}/api/query`,
          body: JSON.stringify({
            path: 'counters:get',
            format: 'convex_encoded_json',
            args: [{ name: 'http' }],
          }),
        },
        {
          workload: 'mutation (ConvexHttpClient, items:insert)',
          call: async (caller, n) => {
            await client(caller).mutation(insert, {
              key: `http-${n}`,
              body: BODY,
            });
          },
          url: `${server.url}/api/mutation`,
          body: JSON.stringify({
            path: 'items:insert',
            format: 'convex_encoded_json',
            args: [{ key: 'http-probe', body: BODY }],
          }),
        },
        {
          workload: 'HTTP action (fetch, POST /echo on the site port)',
          call: async () => {
            const response = await fetch(`${server.siteUrl}/echo`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: echoBody,
            });
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            await response.json();
          },
          url: `${server.siteUrl}/echo`,
          body: echoBody,
        },
      ];
      const rows: HttpCallsRow[] = [];
      for (const call of calls) {
        const responseBytes = (await post(call.url, call.body)).length;
        const converge = await closedLoop({
          ...options.timing,
          workers: CALLERS,
          serverCpuMs: server.cpuMs,
          op: call.call,
        });
        const rawRoute = await rawLoop(
          raw,
          call.body,
          responseBytes,
          options.timing,
        );
        rows.push({
          workload: call.workload,
          converge,
          raw: rawRoute,
          requestBytes: Buffer.byteLength(call.body),
          responseBytes,
          ratio: converge.opsPerSecond / rawRoute.opsPerSecond,
        });
      }
      return { callers: CALLERS, rows };
    }),
  );
}

async function post(url: string, body: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}

function rawLoop(
  raw: BaselineServer,
  body: string,
  responseBytes: number,
  timing: Timing,
): Promise<ThroughputResult> {
  const url = raw.routeUrl(responseBytes);
  return closedLoop({
    ...timing,
    workers: CALLERS,
    serverCpuMs: raw.cpuMs,
    op: async () => {
      JSON.parse(await post(url, body));
    },
  });
}

export function httpCallsMarkdown(result: HttpCallsResult): string {
  return markdownTable(
    [
      `workload (${result.callers} in flight)`,
      'calls/s',
      'p50',
      'p99',
      'server CPU/call',
      'bench CPU/call',
      'raw route/s',
      'raw p50',
      'raw CPU/call',
      'ratio',
    ],
    result.rows.map((row) => [
      row.workload,
      fmtRate(row.converge.opsPerSecond),
      fmtMs(row.converge.latency.p50Ms),
      fmtMs(row.converge.latency.p99Ms),
      fmtMs(row.converge.serverCpuMsPerOp, 3),
      fmtMs(row.converge.benchCpuMsPerOp, 3),
      fmtRate(row.raw.opsPerSecond),
      fmtMs(row.raw.latency.p50Ms),
      fmtMs(row.raw.serverCpuMsPerOp, 3),
      fmtRatio(row.ratio),
    ]),
  );
}

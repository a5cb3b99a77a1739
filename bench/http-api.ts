/**
 * The HTTP API with the official `ConvexHttpClient` against a real
 * Converge server (test/apps/basic on SQLite): query and mutation calls per
 * second, one at a time, next to a raw uWebSockets.js HTTP route that
 * answers the same request with the same body, in the same process.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { uws } from '../src/ws/uws.ts';
import { withBenchServer } from './bench-server.ts';
import { measure, median } from './measure.ts';

const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);
const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);

export interface HttpBenchRow {
  workload: string;
  converge: number;
  raw: number;
  ratio: number;
}

export async function benchHttpApi(options: {
  durationMs: number;
  rounds: number;
}): Promise<HttpBenchRow[]> {
  return withBenchServer(async (server) => {
    const raw = await rawRoute();
    try {
      const client = new ConvexHttpClient(server.url, { logger: false });
      const rows: HttpBenchRow[] = [];
      for (const [workload, call, body] of [
        [
          'query (counters:get)',
          () => client.query(get, { name: 'bench' }),
          '{"status":"success","value":0}',
        ],
        [
          'mutation (counters:increment)',
          () => client.mutation(increment, { name: 'bench' }),
          '{"status":"success","value":null}',
        ],
      ] as const) {
        raw.body = body;
        const ours: number[] = [];
        const theirs: number[] = [];
        await call();
        for (let round = 0; round < options.rounds; round++) {
          ours.push(
            await measure(async () => {
              await call();
              return 1;
            }, options.durationMs),
          );
          theirs.push(
            await measure(() => rawCall(raw.url), options.durationMs),
          );
        }
        const converge = median(ours);
        const baseline = median(theirs);
        rows.push({
          workload,
          converge,
          raw: baseline,
          ratio: converge / baseline,
        });
      }
      return rows;
    } finally {
      raw.close();
    }
  });
}

/** What `ConvexHttpClient` sends for a query, to the raw route. */
const REQUEST = JSON.stringify({
  path: 'counters:get',
  format: 'convex_encoded_json',
  args: [{ name: 'bench' }],
});

async function rawCall(url: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: REQUEST,
  });
  await response.json();
  return 1;
}

/** A uWS route that reads the JSON body and answers a fixed JSON body. */
async function rawRoute(): Promise<{
  url: string;
  body: string;
  close(): void;
}> {
  const route: { url: string; body: string; close(): void } = {
    url: '',
    body: '{}',
    close: () => undefined,
  };
  const app = uws.App().post('/api/query', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const chunks: Buffer[] = [];
    res.onData((chunk, isLast) => {
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast || aborted) return;
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.cork(() => {
        res
          .writeStatus('200 OK')
          .writeHeader('content-type', 'application/json')
          .end(route.body);
      });
    });
  });
  const listen = await new Promise<
    Parameters<typeof uws.us_socket_local_port>[0]
  >((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) =>
      socket ? resolve(socket) : reject(new Error('cannot listen')),
    );
  });
  route.url = `http://127.0.0.1:${uws.us_socket_local_port(listen)}/api/query`;
  route.close = () => uws.us_listen_socket_close(listen);
  return route;
}

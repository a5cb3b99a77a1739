import { expect, test } from 'vitest';
import type { FunctionRunner } from '../runtime/function-runner.ts';
import { type HttpApiOptions, startHttpApi } from './http-api.ts';

/** An API over stand-ins: a runner whose every query rejects (a bug), and a store clock. */
function options(
  overrides: Partial<HttpApiOptions> = {},
  logs: string[] = [],
): HttpApiOptions {
  const runner = {
    runQuery: () => Promise.reject(new Error('the runner broke')),
    runMutation: () => Promise.reject(new Error('unused')),
    runAction: () => Promise.reject(new Error('unused')),
    kindOf: () => 'query',
  } as unknown as FunctionRunner;
  return {
    runner,
    latestTs: () => Promise.resolve(1n),
    authority: { verifier: null, adminKey: 'converge|key' },
    instanceName: 'converge',
    version: '1.2.3',
    transport: 'native',
    log: (level, message) => logs.push(`[${level}] ${message}`),
    ...overrides,
  };
}

const request = (
  method: string,
  url: string,
  body = '',
  headers: Record<string, string> = {},
) => ({
  method,
  url,
  headers:
    body === '' ? headers : { 'content-type': 'application/json', ...headers },
  body: Buffer.from(body),
  remoteAddress: '127.0.0.1',
});

test('startHttpApi() answers /health 503 when the store does not answer', async () => {
  const api = await startHttpApi(
    options({
      latestTs: () => Promise.reject(new Error('connection refused')),
    }),
  );
  const response = await api.handle(request('GET', '/health'));
  expect(response.status).toBe(503);
  expect(JSON.parse(response.body.toString())).toEqual({
    status: 'unavailable',
    transport: 'native',
    store: 'unreachable: connection refused',
  });
  await api.close();
});

test('startHttpApi() answers /health 503 draining once the process drains, and 200 before', async () => {
  let draining = false;
  const api = await startHttpApi(options({ draining: () => draining }));
  const health = async () => {
    const response = await api.handle(request('GET', '/health'));
    return [response.status, JSON.parse(response.body.toString()) as unknown];
  };
  expect(await health()).toEqual([
    200,
    { status: 'ok', transport: 'native', store: 'reachable' },
  ]);

  draining = true;
  expect(await health()).toEqual([
    503,
    { status: 'draining', transport: 'native', store: 'reachable' },
  ]);
  await api.close();
});

test('startHttpApi() answers a route that throws with 500 InternalServerError, and logs the bug', async () => {
  const logs: string[] = [];
  const api = await startHttpApi(options({}, logs));
  const response = await api.handle(
    request('POST', '/api/query', '{"path":"a:b","args":{}}'),
  );
  expect(response.status).toBe(500);
  expect(JSON.parse(response.body.toString())).toEqual({
    code: 'InternalServerError',
    message: "Your request couldn't be completed. Try again later.",
  });
  expect(logs.some((line) => line.includes('the runner broke'))).toBe(true);
  await api.close();
});

test('startHttpApi() keeps an admin key in the query string out of its log', async () => {
  const logs: string[] = [];
  const api = await startHttpApi(
    options(
      {
        runner: {
          runQuery: () =>
            Promise.resolve({ success: true, value: 1, logLines: [] }),
        } as unknown as FunctionRunner,
      },
      logs,
    ),
  );
  const response = await api.handle(
    request(
      'POST',
      '/api/query?adminKey=converge%7Ckey',
      '{"path":"a:b","args":{}}',
      { 'convex-client': 'npm-1.48.0' },
    ),
  );
  expect(response.status).toBe(200);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(
    /^\[info\] POST \/api\/query 200 [\d.]+ms npm-1\.48\.0$/,
  );
  await api.close();
});

test('startHttpApi() answers a body that is not UTF-8, or nests past 128 levels, 400 BadJsonBody before any function runs', async () => {
  const api = await startHttpApi(options());
  const notUtf8 = await api.handle({
    ...request('POST', '/api/query', 'x'),
    body: Buffer.concat([
      Buffer.from('{"path":"a:b","args":{"s":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]),
  });
  const deep = await api.handle(
    request(
      'POST',
      '/api/query',
      `{"path":"a:b","args":{"s":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`,
    ),
  );
  const deepQueryString = await api.handle(
    request(
      'GET',
      `/api/query?path=a:b&args=${encodeURIComponent(`{"s":${'['.repeat(200)}${']'.repeat(200)}}`)}`,
    ),
  );
  for (const response of [notUtf8, deep])
    expect({
      status: response.status,
      code: (JSON.parse(response.body.toString()) as { code: string }).code,
    }).toEqual({ status: 400, code: 'BadJsonBody' });
  expect({
    status: deepQueryString.status,
    code: (JSON.parse(deepQueryString.body.toString()) as { code: string })
      .code,
  }).toEqual({ status: 400, code: 'BadQueryArgs' });
  await api.close();
});

test('startHttpApi() answers a URL fastify cannot decode in Convex shape, {code, message}', async () => {
  const api = await startHttpApi(options());
  const response = await api.handle(
    request('POST', '/api/run/%E0%A4%A', '{"args":{}}'),
  );
  expect(response.status).toBe(400);
  expect(Object.keys(JSON.parse(response.body.toString()) as object)).toEqual([
    'code',
    'message',
  ]);
  await api.close();
});

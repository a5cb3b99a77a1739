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

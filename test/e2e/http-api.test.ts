/**
 * The HTTP API on the main port, through the official `ConvexHttpClient` for
 * every route it calls (test/helpers/http-client-contract.ts, which a
 * server the CLI deployed the app to passes too), and through `fetch` for
 * the routes other tools call: query_batch, run/, GET query, the value
 * formats, CORS, the admin key check and the deployment's meta routes.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  TEST_ADMIN_KEY,
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';
import { describeHttpClient } from '../helpers/http-client-contract.ts';

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

function client(): ConvexHttpClient {
  return new ConvexHttpClient(server.url, { logger: false });
}

/** A POST with a JSON body, as curl or another language's client sends it. */
async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: await response.json(),
    headers: response.headers,
  };
}

describeHttpClient('ConvexHttpClient', () => server);

describe('the API other tools call', () => {
  test('query_batch runs every query at one timestamp', async () => {
    await client().mutation(add, { name: 'batch', by: 7n });
    const { status, body } = await post('/api/query_batch', {
      queries: [
        { path: 'counters:get', args: { name: 'batch' }, format: 'json' },
        { path: 'values:fails', args: {} },
        {
          path: 'counters:get',
          args: [{ name: 'batch' }],
          format: 'convex_encoded_json',
        },
      ],
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      results: [
        { status: 'success', value: '7' },
        {
          status: 'error',
          errorMessage: 'Uncaught Error: this query always fails',
        },
        { status: 'success', value: { $integer: 'BwAAAAAAAAA=' } },
      ],
    });
  });

  test('run/<module>/<function> answers clean JSON by default', async () => {
    await client().mutation(add, { name: 'run', by: 11n });
    expect(
      await post('/api/run/counters/get', { args: { name: 'run' } }),
    ).toMatchObject({
      status: 200,
      body: { status: 'success', value: '11' },
    });
    expect(
      (
        await post('/api/run/counters/add', {
          args: { name: 'run', by: { $integer: 'AQAAAAAAAAA=' } },
          format: 'convex_encoded_json',
        })
      ).body,
    ).toEqual({
      status: 'success',
      value: { $integer: 'DAAAAAAAAAA=' },
      logLines: ["[LOG] 'adding' 1n 'to' 'run'"],
    });
    expect(await post('/api/run/counters', { args: {} })).toMatchObject({
      status: 400,
      body: { code: 'MissingIdentifier' },
    });
  });

  test('GET /api/query takes its call from the query string', async () => {
    const args = encodeURIComponent(JSON.stringify({ name: 'nobody' }));
    const response = await fetch(
      `${server.url}/api/query?path=counters:get&args=${args}&format=json`,
    );
    expect(await response.json()).toEqual({ status: 'success', value: '0' });
  });

  test('values come in the format asked for, by default clean JSON unless the client predates formats', async () => {
    const call = { path: 'values:awkward', args: {} };
    const clean = {
      int: '4611686018427387904',
      negative: '-5',
      bytes: 'ABCD',
      nan: 'NaN',
      infinity: 'Infinity',
      negativeInfinity: '-Infinity',
      list: [1.5, 'text', null, true],
    };
    const encoded = {
      int: { $integer: 'AAAAAAAAAEA=' },
      negative: { $integer: '+/////////8=' },
      bytes: { $bytes: 'ABCD' },
      nan: { $float: 'AAAAAAAA+H8=' },
      infinity: { $float: 'AAAAAAAA8H8=' },
      negativeInfinity: { $float: 'AAAAAAAA8P8=' },
      list: [1.5, 'text', null, true],
    };
    expect(
      (await post('/api/query', { ...call, format: 'json' })).body,
    ).toEqual({ status: 'success', value: clean });
    expect(
      (await post('/api/query', { ...call, format: 'convex_clean_json' })).body,
    ).toEqual({ status: 'success', value: clean });
    expect(
      (await post('/api/query', { ...call, format: 'convex_encoded_json' }))
        .body,
    ).toEqual({ status: 'success', value: encoded });
    expect(
      (await post('/api/query', { ...call, format: 'convex_json' })).body,
    ).toEqual({ status: 'success', value: encoded });
    // No format: clean for today's clients and unknown ones, encoded for npm before 1.4.1.
    expect((await post('/api/query', call)).body).toEqual({
      status: 'success',
      value: clean,
    });
    expect(
      (await post('/api/query', call, { 'convex-client': 'npm-1.3.0' })).body,
    ).toEqual({ status: 'success', value: encoded });

    expect(await post('/api/query', { ...call, format: 'yaml' })).toMatchObject(
      {
        status: 400,
        body: {
          code: 'BadFormat',
          message: 'format param must be one of [`json`]. Got yaml',
        },
      },
    );
  });

  test('a malformed or retired Convex-Client header is a 400', async () => {
    expect(
      await post(
        '/api/query',
        { path: 'counters:get', args: { name: 'x' } },
        {
          'convex-client': 'npm-one.two',
        },
      ),
    ).toMatchObject({ status: 400, body: { code: 'InvalidClientVersion' } });

    const retired = await post(
      '/api/query',
      { path: 'counters:get', args: { name: 'x' } },
      { 'convex-client': 'npm-0.19.0' },
    );
    expect(retired).toMatchObject({
      status: 400,
      body: { code: 'ClientVersionUnsupported' },
    });
    expect(retired.headers.get('x-convex-deprecation-state')).toBe(
      'Unsupported',
    );
  });

  test('authorization headers that are not a credential at all are 400s; ?adminKey= is an admin key', async () => {
    const call = { path: 'counters:peek', args: {} };
    expect(await post('/api/query', call, { authorization: 'Key' })).toEqual({
      status: 400,
      headers: expect.anything() as unknown,
      body: {
        code: 'InvalidHeaderFailure',
        message: 'Invalid authentication header',
      },
    });
    expect(
      (await post('/api/query', call, { authorization: 'Basic dXNlcjpwdw==' }))
        .body,
    ).toEqual({ code: 'InvalidAdminKey', message: 'Invalid admin key' });
    expect(
      (
        await post('/api/query', call, {
          authorization: `Convex ${TEST_ADMIN_KEY}:not base64!`,
        })
      ).body,
    ).toEqual({
      code: 'HeaderParseFailure',
      message: 'Malformed Authorization header.',
    });
    expect(
      (
        await post(
          `/api/query?adminKey=${encodeURIComponent(TEST_ADMIN_KEY)}`,
          call,
        )
      ).body,
    ).toMatchObject({ status: 'success' });
  });

  test('bodies that are not JSON, or too large, are 400 BadJsonBody', async () => {
    const text = await fetch(`${server.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect([text.status, await text.json()]).toEqual([
      400,
      {
        code: 'BadJsonBody',
        message: 'Expected request with `Content-Type: application/json`',
      },
    ]);
    expect(await post('/api/query', { args: {} })).toMatchObject({
      status: 400,
      body: {
        code: 'BadJsonBody',
        message:
          'Failed to deserialize the JSON body into the target type: missing field `path`',
      },
    });
    // 16 MiB and 2000 bytes is the limit: one byte more is refused.
    const huge = JSON.stringify({
      path: 'values:echo',
      args: { value: 'x'.repeat(16 * 1024 * 1024 + 2000) },
    });
    const tooLarge = await fetch(`${server.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    });
    expect([tooLarge.status, await tooLarge.json()]).toEqual([
      400,
      {
        code: 'BadJsonBody',
        message: 'Failed to buffer the request body: length limit exceeded',
      },
    ]);
  });

  test('query_at_ts refuses a timestamp after the latest commit', async () => {
    const { body } = await post('/api/query_ts', null);
    const { ts } = body as { ts: string };
    const future = Buffer.alloc(8);
    future.writeBigUInt64LE(
      Buffer.from(ts, 'base64').readBigUInt64LE() + 10n ** 12n,
    );
    expect(
      await post('/api/query_at_ts', {
        path: 'counters:get',
        args: { name: 'x' },
        ts: future.toString('base64'),
      }),
    ).toMatchObject({ status: 400, body: { code: 'InvalidTimestamp' } });
  });

  test('CORS: a preflight is answered for any origin, and every response names the origin', async () => {
    const preflight = await fetch(`${server.url}/api/mutation`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,convex-client',
      },
    });
    expect(preflight.status).toBe(200);
    expect(await preflight.text()).toBe('');
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET,POST,OPTIONS,PATCH,DELETE,PUT',
      'access-control-allow-headers': 'content-type,convex-client',
      'access-control-max-age': '86400',
    });

    const call = await post(
      '/api/query',
      { path: 'counters:get', args: { name: 'x' } },
      { origin: 'https://app.example' },
    );
    expect(call.headers.get('access-control-allow-origin')).toBe(
      'https://app.example',
    );
    expect(call.headers.get('access-control-allow-credentials')).toBe('true');
  });

  test('check_admin_key: an admin key may do everything; a wrong one is a 401, none a 403', async () => {
    const check = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/check_admin_key`, { headers }).then(
        async (response) => [response.status, await response.json()],
      );
    expect(
      await check({
        authorization: `Convex ${TEST_ADMIN_KEY}`,
        'convex-client': 'dashboard-0.0.0',
      }),
    ).toEqual([200, { success: true, allowedOps: [], isReadOnly: false }]);
    expect(await check({ authorization: 'Convex converge|wrong' })).toEqual([
      401,
      {
        code: 'BadAdminKey',
        message: 'The provided admin key was invalid for this instance',
      },
    ]);
    expect(await check({})).toMatchObject([403, { code: 'BadDeployKey' }]);
  });

  test('the meta routes: /, /instance_name, /instance_version, /echo, /version, /health', async () => {
    const text = (path: string, init?: RequestInit) =>
      fetch(`${server.url}${path}`, init).then(async (response) => [
        response.status,
        await response.text(),
      ]);
    expect(await text('/')).toEqual([
      200,
      'This Convex deployment is running. See https://docs.convex.dev/.',
    ]);
    expect(await text('/instance_name')).toEqual([200, 'converge']);
    expect(await text('/instance_version')).toEqual([200, 'test']);
    expect(await text('/version')).toEqual([200, 'test']);
    expect(
      await text('/echo', { method: 'POST', body: 'ping \u{1F3D3}' }),
    ).toEqual([200, 'ping \u{1F3D3}']);
    const health = await fetch(`${server.url}/health`);
    expect([health.status, await health.json()]).toEqual([
      200,
      { status: 'ok', transport: 'native', store: 'reachable' },
    ]);
    expect(await text('/nowhere')).toEqual([
      404,
      JSON.stringify({
        code: 'NotFound',
        message: 'GET /nowhere is not a route of this deployment',
      }),
    ]);
  });
});

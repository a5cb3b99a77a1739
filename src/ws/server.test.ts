import { expect, test } from 'vitest';
import type { BridgedRequest } from './http-bridge.ts';
import { startFrontDoor } from './server.ts';
import { uwsTransport } from './uws.ts';

test('startFrontDoor() serves /version on port 0, and a JSON 404 without an HTTP API', async () => {
  await using door = await startFrontDoor({
    host: '127.0.0.1',
    port: 0,
    version: '9.9.9',
  });
  const base = `http://127.0.0.1:${door.port}`;

  const version = await fetch(`${base}/version`);
  expect(version.status).toBe(200);
  expect(await version.text()).toBe('9.9.9');

  const response = await fetch(`${base}/api/query`, { method: 'POST' });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({
    code: 'NotFound',
    message: 'POST /api/query is not a route of this deployment',
  });
});

test('the HTTP bridge hands the HTTP API whole requests and writes its responses back', async () => {
  const seen: BridgedRequest[] = [];
  await using door = await startFrontDoor({
    host: '127.0.0.1',
    port: 0,
    version: '9.9.9',
    http: {
      maxBodyBytes: () => 1024,
      handle: async (request) => {
        seen.push(request);
        return {
          status: 201,
          headers: { 'content-type': 'text/plain', 'x-answer': ['1', '2'] },
          body: `got ${request.body.length} bytes`,
        };
      },
    },
  });

  // A client posts a body in two chunks (a stream, so no content-length).
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('hello, '));
      controller.enqueue(new TextEncoder().encode('bridge'));
      controller.close();
    },
  });
  const response = await fetch(
    `http://127.0.0.1:${door.port}/api/mutation?x=1`,
    {
      method: 'POST',
      body,
      headers: { 'Convex-Client': 'npm-1.48.0' },
      duplex: 'half',
    },
  );
  expect(response.status).toBe(201);
  expect(response.headers.get('x-answer')).toBe('1, 2');
  expect(await response.text()).toBe('got 13 bytes');

  // The handler saw everything, with the body whole and its length declared.
  const [request] = seen;
  expect(request?.method).toBe('POST');
  expect(request?.url).toBe('/api/mutation?x=1');
  expect(request?.headers['convex-client']).toBe('npm-1.48.0');
  expect(request?.headers['content-length']).toBe('13');
  expect(request?.headers['transfer-encoding']).toBeUndefined();
  expect(request?.body.toString()).toBe('hello, bridge');
  expect(request?.remoteAddress).toMatch(/127\.0\.0\.1/);

  // A GET has no body at all.
  await fetch(`http://127.0.0.1:${door.port}/health`);
  expect(seen[1]?.method).toBe('GET');
  expect(seen[1]?.body.length).toBe(0);
});

test('the HTTP bridge stops reading a body past its limit and lets the handler refuse it', async () => {
  const lengths: string[] = [];
  await using door = await startFrontDoor({
    host: '127.0.0.1',
    port: 0,
    version: '9.9.9',
    http: {
      maxBodyBytes: () => 1000,
      handle: async (request) => {
        lengths.push(request.headers['content-length'] ?? '');
        return {
          status: request.body.length > 1000 ? 400 : 200,
          headers: {},
          body: String(request.body.length),
        };
      },
    },
  });
  const post = (bytes: number) =>
    fetch(`http://127.0.0.1:${door.port}/echo`, {
      method: 'POST',
      body: Buffer.alloc(bytes, 0x61),
    });

  const atLimit = await post(1000);
  expect([atLimit.status, await atLimit.text()]).toEqual([200, '1000']);
  // Ten times too much: the handler sees one byte over the limit, no more.
  const over = await post(10_000);
  expect([over.status, await over.text()]).toEqual([400, '1001']);
  expect(lengths).toEqual(['1000', '1001']);
});

test('a body past the limit is read to its end and dropped, so the client hears the refusal', async () => {
  await using door = await startFrontDoor({
    host: '127.0.0.1',
    port: 0,
    version: '9.9.9',
    http: {
      maxBodyBytes: () => 1000,
      handle: async (request) => ({
        status: 413,
        headers: {},
        body: String(request.body.length),
      }),
    },
  });
  const post = (bytes: number) =>
    fetch(`http://127.0.0.1:${door.port}/echo`, {
      method: 'POST',
      body: Buffer.alloc(bytes, 0x61),
    });
  // 4 MiB against a limit of 1000 bytes: the client is still writing when
  // the handler has answered, and reads the answer every time.
  for (let i = 0; i < 10; i++) {
    const over = await post(4 * 1024 * 1024);
    expect([over.status, await over.text()]).toEqual([413, '1001']);
  }
});

test('a mount takes every path under its prefix as a Fetch Request', async () => {
  await using door = await startFrontDoor({
    host: '127.0.0.1',
    port: 0,
    version: '9.9.9',
    mounts: [
      {
        prefix: '/http/',
        handle: async (request) =>
          new Response(`${request.method} ${new URL(request.url).pathname}`, {
            status: 202,
          }),
      },
    ],
    http: {
      maxBodyBytes: () => 1024,
      handle: async () => ({ status: 200, headers: {}, body: 'api' }),
    },
  });
  const base = `http://127.0.0.1:${door.port}`;
  const action = await fetch(`${base}/http/hooks/stripe`, { method: 'POST' });
  expect([action.status, await action.text()]).toEqual([
    202,
    'POST /http/hooks/stripe',
  ]);
  const api = await fetch(`${base}/api/query`, { method: 'POST' });
  expect(await api.text()).toBe('api');
});

test('the native uWebSockets.js build loads on Node 20', () => {
  // DESIGN.md decision 2: the alias ships native binaries for Node 16/18/20.
  expect(process.versions.node.split('.')[0]).toBe('20');
  expect(uwsTransport).toBe('native');
});

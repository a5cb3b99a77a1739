import { expect, test } from 'vitest';
import { startFrontDoor } from './server.ts';
import { uwsTransport } from './uws.ts';

test('startFrontDoor() serves /version and /health on port 0', async () => {
  await using door = await startFrontDoor({
    host: '127.0.0.1',
    port: 0,
    version: '9.9.9',
  });
  const base = `http://127.0.0.1:${door.port}`;

  const version = await fetch(`${base}/version`);
  expect(version.status).toBe(200);
  expect(await version.text()).toBe('9.9.9');

  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({
    status: 'ok',
    transport: uwsTransport,
  });
});

test('startFrontDoor() answers anything else with a JSON 404', async () => {
  await using door = await startFrontDoor({
    host: '127.0.0.1',
    port: 0,
    version: '9.9.9',
  });
  const response = await fetch(`http://127.0.0.1:${door.port}/api/query`, {
    method: 'POST',
  });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({
    code: 'NotFound',
    message: 'POST /api/query is not served yet',
  });
});

test('the native uWebSockets.js build loads on Node 20', () => {
  // DESIGN.md decision 2: the alias ships native binaries for Node 16/18/20.
  expect(process.versions.node.split('.')[0]).toBe('20');
  expect(uwsTransport).toBe('native');
});

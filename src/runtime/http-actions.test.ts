import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';

const at = (path: string, init?: RequestInit) =>
  new Request(`http://127.0.0.1:3211${path}`, init);

describe('HTTP actions from http.ts', () => {
  test('a route answers with its handler’s Response, and its console output becomes log lines', async () => {
    await using rt = await startBasicRuntime();
    const { response, logLines } = await rt.runner.runHttpAction(
      at('/hello?name=ada'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('hello ada');
    expect(logLines).toEqual(["[LOG] 'greeting' 'ada'"]);
  });

  test('a handler reads the request body and runs mutations and queries of its own', async () => {
    await using rt = await startBasicRuntime();
    const { response } = await rt.runner.runHttpAction(
      at('/messages', {
        method: 'POST',
        body: JSON.stringify({ channel: 'web', body: 'from http' }),
      }),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ count: 1 });
    expect(
      await rt.runner.runQuery('messages:list', { channel: 'web' }),
    ).toMatchObject({ value: [{ body: 'from http' }] });
  });

  test('a prefix route stores an uploaded body in file storage', async () => {
    await using rt = await startBasicRuntime();
    const { response } = await rt.runner.runHttpAction(
      at('/files/notes.txt', { method: 'POST', body: 'file contents' }),
    );
    const { id, url } = (await response.json()) as { id: string; url: string };
    expect(url).toMatch(new RegExp(`/api/storage/${id}$`));
    expect(await rt.runner.runMutation('files:readText', { id })).toMatchObject(
      { value: { text: 'file contents' } },
    );
  });

  test('the identity of the request reaches ctx.auth', async () => {
    await using rt = await startBasicRuntime();
    const identity = { tokenIdentifier: 'issuer|ada', subject: 'ada' };
    const { response } = await rt.runner.runHttpAction(at('/whoami'), {
      identity,
    });
    expect(await response.json()).toEqual(identity);
  });

  test('no matching route is a 404, and a handler that throws a 500', async () => {
    await using rt = await startBasicRuntime();
    const missing = await rt.runner.runHttpAction(
      at('/hello', { method: 'POST' }),
    );
    expect(missing.response.status).toBe(404);
    expect(await missing.response.text()).toBe(
      'No HttpAction routed for /hello',
    );
    const broken = await rt.runner.runHttpAction(at('/fails'));
    expect(broken.response.status).toBe(500);
    expect(await broken.response.text()).toBe(
      'Uncaught Error: the handler broke',
    );
  });
});

import { describe, expect, test } from 'vitest';
import {
  BASIC_ORIGIN,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';
import { storageHandler } from './storage-handler.ts';

describe('the storage routes', () => {
  test('a file posted to an upload URL is served at the URL ctx.storage gives it', async () => {
    await using rt = await startBasicRuntime();
    const handle = storageHandler(rt.files);
    const made = await rt.runner.runMutation('files:uploadUrl', {});
    if (!made.success) throw new Error(made.errorMessage);

    const uploaded = await handle(
      new Request(made.value as string, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: new Uint8Array([137, 80, 78, 71]),
      }),
    );
    expect(uploaded?.status).toBe(200);
    const { storageId } = (await uploaded?.json()) as { storageId: string };

    const described = await rt.runner.runQuery('files:describe', {
      id: storageId,
    });
    expect(described).toMatchObject({
      value: {
        url: `${BASIC_ORIGIN}/api/storage/${storageId}`,
        metadata: { size: 4, contentType: 'image/png' },
      },
    });
    const served = await handle(
      new Request(`${BASIC_ORIGIN}/api/storage/${storageId}`),
    );
    expect(served?.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await (served as Response).arrayBuffer())).toEqual(
      new Uint8Array([137, 80, 78, 71]),
    );
  });

  test('an upload without a good token, and a file that does not exist, are refused', async () => {
    await using rt = await startBasicRuntime();
    const handle = storageHandler(rt.files);
    const forged = await handle(
      new Request(`${BASIC_ORIGIN}/api/storage/upload?token=1.forged`, {
        method: 'POST',
        body: 'x',
      }),
    );
    expect(forged?.status).toBe(401);
    const missing = await handle(
      new Request(`${BASIC_ORIGIN}/api/storage/notanid`),
    );
    expect(missing?.status).toBe(404);
    expect(await handle(new Request(`${BASIC_ORIGIN}/api/query`))).toBeNull();
  });

  test('a file id whose percent-encoding is broken is not found, not a server error', async () => {
    await using rt = await startBasicRuntime();
    const handle = storageHandler(rt.files);
    const response = await handle(
      new Request(`${BASIC_ORIGIN}/api/storage/%E0%A4%A`),
    );
    expect(response?.status).toBe(404);
    expect(await response?.json()).toMatchObject({ code: 'FileNotFound' });
  });
});

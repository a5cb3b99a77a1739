import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  BASIC_ORIGIN,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';

describe('ctx.storage', () => {
  test('a mutation stores a file; queries see its URL, metadata and _storage document', async () => {
    await using rt = await startBasicRuntime();
    const stored = await rt.runner.runMutation('files:storeText', {
      text: 'hello',
    });
    if (!stored.success) throw new Error(stored.errorMessage);
    const id = stored.value as string;
    const sha = createHash('sha256').update('hello');

    const described = await rt.runner.runQuery('files:describe', { id });
    expect(described).toMatchObject({
      success: true,
      value: {
        url: `${BASIC_ORIGIN}/api/storage/${id}`,
        metadata: {
          storageId: id,
          sha256: sha.copy().digest('hex'),
          size: 5,
          contentType: 'text/plain',
        },
        document: {
          _id: id,
          sha256: sha.copy().digest('base64'),
          size: 5,
          contentType: 'text/plain',
        },
        count: 1,
      },
    });
    expect(await rt.runner.runMutation('files:readText', { id })).toMatchObject(
      { value: { text: 'hello', type: 'text/plain' } },
    );
  });

  test('deleting a file removes it; reading it afterwards gives null', async () => {
    await using rt = await startBasicRuntime();
    const stored = await rt.runner.runMutation('files:storeText', {
      text: 'bye',
    });
    if (!stored.success) throw new Error(stored.errorMessage);
    const id = stored.value as string;
    expect(await rt.runner.runMutation('files:remove', { id })).toMatchObject({
      success: true,
    });
    expect(await rt.runner.runQuery('files:describe', { id })).toMatchObject({
      value: { url: null, metadata: null, document: null, count: 0 },
    });
    expect(await rt.runner.runMutation('files:readText', { id })).toMatchObject(
      { success: true, value: null },
    );
  });

  test('a file stored by a mutation that fails does not exist', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runMutation('files:storeThenFail', {}),
    ).toMatchObject({ success: false });
    const tx = await rt.store.begin();
    expect(
      (
        await tx.scan({
          table: '_storage',
          index: 'by_creation_time',
          eq: [],
          order: 'asc',
          limit: 10,
        })
      ).documents,
    ).toEqual([]);
  });

  test('an action stores and reads blobs, each call its own transaction', async () => {
    await using rt = await startBasicRuntime();
    const result = await rt.runner.runAction('files:roundTrip', {
      text: 'a,b',
    });
    if (!result.success) throw new Error(result.errorMessage);
    const value = result.value as { id: string };
    expect(value).toEqual({
      id: value.id,
      text: 'a,b',
      type: 'text/csv',
      url: `${BASIC_ORIGIN}/api/storage/${value.id}`,
      afterDelete: null,
    });
  });

  test('an upload URL carries a token for the upload route', async () => {
    await using rt = await startBasicRuntime();
    const result = await rt.runner.runMutation('files:uploadUrl', {});
    if (!result.success) throw new Error(result.errorMessage);
    expect(result.value).toMatch(
      new RegExp(`^${BASIC_ORIGIN}/api/storage/upload\\?token=\\d+\\.[\\w-]+$`),
    );
  });
});

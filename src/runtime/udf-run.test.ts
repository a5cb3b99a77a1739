import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DirectoryFileStorage } from '../store/directory-file-storage.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { DocumentStore } from '../store/store.ts';
import { DatabaseSyscalls } from './database-syscalls.ts';
import { type UdfHost, UdfRun } from './udf-run.ts';

interface Scratch extends AsyncDisposable {
  store: DocumentStore;
  dir: string;
}

async function scratchStore(): Promise<Scratch> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-udf-run-'));
  const store = await openSqliteStore(join(dir, 'store.sqlite'));
  return {
    store,
    dir,
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function host(
  store: DocumentStore,
  files: UdfHost['files'] = undefined,
): UdfHost {
  return {
    deploymentName: 'test',
    env: () => ({}),
    files,
    store,
    runNested: () => Promise.reject(new Error('no nested calls here')),
    kindOf: () => null,
  };
}

async function startRun(
  store: DocumentStore,
  kind: 'query' | 'mutation',
  files: UdfHost['files'] = undefined,
): Promise<UdfRun> {
  const tx = await store.begin();
  const database = new DatabaseSyscalls(tx, kind, new Map(), new Map(), null);
  return new UdfRun(host(store, files), kind, 'test:run', tx, database, {});
}

describe('UdfRun', () => {
  test('a query has the write ops, which refuse, and no scheduler, request metadata or storage', async () => {
    await using scratch = await scratchStore();
    const run = await startRun(scratch.store, 'query');
    await expect(
      run.asyncSyscall('1.0/insert', '{"table":"notes","value":{}}'),
    ).rejects.toThrow('Cannot insert a document in a query.');
    for (const op of [
      '1.0/schedule',
      '1.0/cancel_job',
      '1.0/getRequestMetadata',
      '1.0/storageGetUrl',
    ])
      await expect(run.asyncSyscall(op, '{}')).rejects.toThrow(
        new Error(`Unknown async operation ${op}`),
      );
    expect(() => run.syscall('1.0/nope', '{}')).toThrow(
      new Error('Unknown operation 1.0/nope'),
    );
  });

  test('storage ops are there only when the deployment keeps files: a query reads, a mutation also writes', async () => {
    await using scratch = await scratchStore();
    const files = {
      files: new DirectoryFileStorage(join(scratch.dir, 'storage')),
      origin: 'http://127.0.0.1:3210',
      secret: new Uint8Array(32),
    };
    const query = await startRun(scratch.store, 'query', files);
    const missing = '{"storageId":"nope"}';
    await expect(
      query.asyncSyscall('1.0/storageGetUrl', missing),
    ).rejects.toThrow('Invalid storage id "nope".');
    await expect(
      query.asyncSyscall('1.0/storageGenerateUploadUrl', '{}'),
    ).rejects.toThrow('Unknown async operation 1.0/storageGenerateUploadUrl');
    const mutation = await startRun(scratch.store, 'mutation', files);
    expect(
      await mutation.asyncSyscall('1.0/storageGenerateUploadUrl', '{}'),
    ).toMatch(/^"http:\/\/127\.0\.0\.1:3210\/api\/storage\/upload\?token=/);
  });

  test('async ops run one at a time in call order, past an op that failed at once', async () => {
    await using scratch = await scratchStore();
    const seen: string[] = [];
    const tx = await scratch.store.begin();
    const run = new UdfRun(
      {
        ...host(scratch.store),
        runNested: async () => {
          seen.push('nested call starts');
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen.push('nested call ends');
          return { success: true, value: null, logLines: [] };
        },
        kindOf: (path) => {
          seen.push(`kind of ${path}`);
          return 'query';
        },
      },
      'mutation',
      'test:run',
      tx,
      new DatabaseSyscalls(tx, 'mutation', new Map(), new Map(), null),
      {},
    );
    const nested = run.asyncSyscall(
      '1.0/runUdf',
      '{"udfType":"query","name":"other:slow","args":{}}',
    );
    const unknown = run.asyncSyscall('1.0/nope', '{}');
    const handle = run.asyncSyscall(
      '1.0/createFunctionHandle',
      '{"name":"other:fast"}',
    );
    await expect(unknown).rejects.toThrow('Unknown async operation 1.0/nope');
    expect(await nested).toBe('null');
    await handle;
    expect(seen).toEqual([
      'nested call starts',
      'nested call ends',
      'kind of other:fast',
    ]);
  });

  test('the request id is made once per run, when first asked for', async () => {
    await using scratch = await scratchStore();
    const run = await startRun(scratch.store, 'mutation');
    const first = JSON.parse(
      await run.asyncSyscall('1.0/getRequestMetadata', '{}'),
    ) as { requestId: string };
    const second = JSON.parse(
      await run.asyncSyscall('1.0/getRequestMetadata', '{}'),
    ) as { requestId: string };
    expect(first.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.requestId).toBe(first.requestId);
    const other = await startRun(scratch.store, 'mutation');
    expect(other.requestId()).not.toBe(first.requestId);
  });
});

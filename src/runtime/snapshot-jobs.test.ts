import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import { DirectoryFileStorage } from '../store/directory-file-storage.ts';
import { EXPORTS } from './export-jobs.ts';
import { SNAPSHOT_IMPORTS } from './import-jobs.ts';
import { SnapshotJobs } from './snapshot-jobs.ts';
import { systemTransaction } from './system-transaction.ts';

const ADMIN = { admin: true };

/** The basic runtime with snapshot jobs over its store, and the CLI's view of them. */
async function withJobs() {
  const rt = await startBasicRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'converge-jobs-'));
  const jobs = new SnapshotJobs(rt.store, {
    dir,
    files: new DirectoryFileStorage(join(dir, 'storage')),
  });
  await jobs.start();
  const query = async (path: string, args: Record<string, Value> = {}) => {
    const result = await rt.runner.runQuery(path, args, ADMIN);
    if (!result.success) throw new Error(result.errorMessage);
    return result.value as Record<string, Value> | null;
  };
  return {
    rt,
    jobs,
    dir,
    importState: async (importId: string) =>
      (await query('_system/cli/queryImport', { importId }))?.['state'],
    latestExport: () => query('_system/cli/exports:getLatest'),
    imports: () => query('_system/cli/queryImport:list') as Promise<unknown>,
    async [Symbol.asyncDispose]() {
      await jobs.close();
      await rt[Symbol.asyncDispose]();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An upload sent in parts, as the CLI sends it, then finished. */
async function upload(
  jobs: SnapshotJobs,
  parts: string[],
  request: Parameters<SnapshotJobs['imports']['finishUpload']>[2],
) {
  const token = await jobs.imports.startUpload();
  const tokens: string[] = [];
  for (const [i, part] of parts.entries()) {
    const sent = await jobs.imports.uploadPart(
      token,
      i + 1,
      new TextEncoder().encode(part),
    );
    if (!sent.success) throw new Error(sent.error);
    tokens.push(sent.partToken);
  }
  return jobs.imports.finishUpload(token, tokens, request);
}

describe('SnapshotJobs: an import, as `npx convex import` follows it', () => {
  test('uploaded, then waiting for confirmation with its summary, then in progress at once when performed, then completed', async () => {
    await using t = await withJobs();
    const finished = await upload(
      t.jobs,
      ['{"name":"Ada"}\n{"na', 'me":"Grace"}\n'],
      {
        format: 'jsonLines',
        mode: 'requireEmpty',
        tableName: 'people',
      },
    );
    if (!finished.success) throw new Error(finished.error);
    const { importId } = finished;
    await t.jobs.settled();
    expect(await t.importState(importId)).toEqual({
      state: 'waiting_for_confirmation',
      message_to_confirm: expect.stringContaining(
        'people | 2      | 0 of 0 |',
      ) as unknown,
      require_manual_confirmation: false,
    });
    expect(await t.imports()).toMatchObject([
      {
        _id: importId,
        format: { format: 'jsonl', table: 'people' },
        mode: 'RequireEmpty',
      },
    ]);

    expect(await t.jobs.imports.performImport(importId)).toEqual({
      success: true,
    });
    expect(await t.importState(importId)).toMatchObject({
      state: 'in_progress',
    });
    expect(await t.jobs.imports.performImport(importId)).toMatchObject({
      success: false,
      code: 'ImportNotWaitingForConfirmation',
    });
    await t.jobs.settled();
    expect(await t.importState(importId)).toMatchObject({
      state: 'completed',
      num_rows_written: 2n,
    });
    const tx = await t.rt.store.begin();
    const people = await tx.scan({
      table: 'people',
      index: 'by_creation_time',
      eq: [],
      order: 'asc',
      limit: 10,
    });
    expect(people.documents.map((d) => d['name'])).toEqual(['Ada', 'Grace']);
  });

  test('a part that was not received, a format without its table, and a file that does not parse are refused', async () => {
    await using t = await withJobs();
    const token = await t.jobs.imports.startUpload();
    expect(
      await t.jobs.imports.finishUpload(token, ['1.00'], {
        format: 'zip',
        mode: 'requireEmpty',
        tableName: null,
      }),
    ).toMatchObject({
      success: false,
      code: 'InvalidUploadPart',
    });
    expect(
      await t.jobs.imports.finishUpload(token, [], {
        format: 'csv',
        mode: 'append',
        tableName: null,
      }),
    ).toEqual({
      success: false,
      code: 'InvalidName',
      error: 'CSV import requires table name',
    });
    const broken = await upload(t.jobs, ['{"a":1}\n{oops}\n'], {
      format: 'jsonLines',
      mode: 'append',
      tableName: 'broken',
    });
    if (!broken.success) throw new Error(broken.error);
    await t.jobs.settled();
    expect(await t.importState(broken.importId)).toEqual({
      state: 'failed',
      error_message:
        "Hit an error while importing:\nRow 2 wasn't valid JSON: expected a field name at position 1",
    });
  });
});

describe('SnapshotJobs: an export, as `npx convex export` follows it', () => {
  test('one at a time: while an export is requested or in progress, another is refused', async () => {
    await using t = await withJobs();
    // An export another request started, caught mid-way (a real one may
    // finish before a second request is read, so the state is written here).
    await systemTransaction(t.rt.store, async (tx) => {
      await tx.insert(EXPORTS, {
        state: 'in_progress',
        format: { format: 'zip', include_storage: false },
        requestor: 'snapshotExport',
      });
    });
    expect(await t.jobs.exports.requestExport(false)).toMatchObject({
      success: false,
      code: 'ExportInProgress',
    });
    expect((await t.latestExport())?.['state']).toBe('in_progress');
  });

  test('requested, then completed with its start ts; the latest archive is kept', async () => {
    await using t = await withJobs();
    expect(await t.jobs.exports.requestExport(false)).toEqual({
      success: true,
    });
    await t.jobs.settled();
    const first = await t.latestExport();
    expect(first).toMatchObject({
      state: 'completed',
      format: { format: 'zip', include_storage: false },
      requestor: 'snapshotExport',
    });
    const startTs = first?.['start_ts'] as bigint;
    expect(first?.['complete_ts']).toBeGreaterThanOrEqual(startTs);
    const file = await t.jobs.exports.exportFile(startTs);
    expect(file?.filename).toBe(`snapshot_${startTs}.zip`);

    const sent = await t.rt.runner.runMutation('messages:send', {
      channel: 'general',
      body: 'after the first export',
    });
    expect(sent.success).toBe(true);
    expect(await t.jobs.exports.requestExport(true)).toEqual({ success: true });
    await t.jobs.settled();
    const second = await t.latestExport();
    expect(second?.['start_ts']).toBeGreaterThan(startTs);
    expect(existsSync(file?.path ?? '')).toBe(false);
    expect(
      await t.jobs.exports.exportFile(second?.['start_ts'] as bigint),
    ).not.toBeNull();
  });
});

test('SnapshotJobs.start() fails the jobs a stopped server left unfinished', async () => {
  await using t = await withJobs();
  const [exportId, importId] = await systemTransaction(
    t.rt.store,
    async (tx) => [
      await tx.insert(EXPORTS, {
        state: 'in_progress',
        start_ts: 5n,
        format: { format: 'zip', include_storage: false },
      }),
      await tx.insert(SNAPSHOT_IMPORTS, {
        state: { state: 'uploaded' },
        format: { format: 'zip' },
        mode: 'Append',
      }),
    ],
  );
  const restarted = new SnapshotJobs(t.rt.store, {
    dir: t.dir,
    files: new DirectoryFileStorage(join(t.dir, 'storage')),
  });
  await restarted.start();
  const tx = await t.rt.store.begin();
  expect(await tx.get(exportId ?? '')).toMatchObject({
    state: 'failed',
    start_ts: 5n,
  });
  expect(await tx.get(importId ?? '')).toMatchObject({
    state: {
      state: 'failed',
      error_message: 'The server restarted before the import finished.',
    },
  });
});

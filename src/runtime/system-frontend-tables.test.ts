import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import type { CommitEntry } from '../store/store.ts';
import { FunctionRunner } from './function-runner.ts';

const ADMIN = { admin: true };
const BUILT_IN = [
  { name: 'by_creation_time', fields: ['_creationTime'], ready: true },
  { name: 'by_id', fields: ['_id'], ready: true },
];

describe('the dashboard’s table queries', () => {
  test('listTables lists the user tables with their counts and indexes, and a new count once a commit adds a document', async () => {
    await using rt = await startBasicRuntime();
    const commits: CommitEntry[] = [];
    rt.store.onCommit((entry) => commits.push(entry));
    for (const body of ['one', 'two'])
      await rt.runner.runMutation('messages:send', { channel: 'c', body });
    // A scheduled job makes `_scheduled_functions`, which is not listed.
    await rt.runner.runMutation('scheduling:plan', { name: 'later' });
    // A table the schema does not declare has only the built-in indexes.
    const tx = await rt.store.begin();
    await tx.insert('notes', { text: 'first' });
    expect(await tx.commit()).toMatchObject({ success: true });

    const first = await rt.runner.runQuery(
      '_system/frontend/listTables',
      {},
      ADMIN,
    );
    expect(first).toMatchObject({
      success: true,
      value: [
        {
          name: 'counters',
          documentCount: 0,
          indexes: [
            ...BUILT_IN,
            { name: 'by_name', fields: ['name'], ready: true },
          ],
        },
        { name: 'embeddings', documentCount: 0, indexes: BUILT_IN },
        {
          name: 'messages',
          documentCount: 2,
          indexes: [
            ...BUILT_IN,
            { name: 'by_channel', fields: ['channel'], ready: true },
          ],
        },
        { name: 'notes', documentCount: 1, indexes: BUILT_IN },
      ],
    });

    // A subscriber is rerun by the commit that adds a message, and sees it counted.
    await rt.runner.runMutation('messages:send', {
      channel: 'c',
      body: 'three',
    });
    expect(first.readSet.overlaps(commits.at(-1)?.writes ?? [])).not.toBe(null);
    const again = await rt.runner.runQuery(
      '_system/frontend/listTables',
      {},
      ADMIN,
    );
    expect(again).toMatchObject({
      success: true,
      value: expect.arrayContaining([
        expect.objectContaining({ name: 'messages', documentCount: 3 }),
      ]) as unknown,
    });
  });

  test('getSchemas answers the active schema as its JSON text, and null without one', async () => {
    await using rt = await startBasicRuntime();
    const withSchema = await rt.runner.runQuery(
      '_system/frontend/getSchemas',
      {},
      ADMIN,
    );
    expect(withSchema).toMatchObject({
      success: true,
      value: { active: expect.any(String) as string, inProgress: null },
    });
    if (!withSchema.success) throw new Error(withSchema.errorMessage);
    const { active } = withSchema.value as { active: string };
    expect(JSON.parse(active)).toEqual(rt.loaded.schema);

    const schemaless = new FunctionRunner(
      { ...rt.loaded, schema: null },
      rt.store,
    );
    expect(
      await schemaless.runQuery('_system/frontend/getSchemas', {}, ADMIN),
    ).toMatchObject({
      success: true,
      value: { active: null, inProgress: null },
    });
  });

  test('only an admin acting as itself reads them', async () => {
    await using rt = await startBasicRuntime();
    for (const path of [
      '_system/frontend/listTables',
      '_system/frontend/getSchemas',
    ])
      expect(
        await rt.runner.runQuery(path, {}, { fromClient: true }),
      ).toMatchObject({
        success: false,
        errorMessage: 'Operation query not permitted',
      });
  });
});

import type { Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import {
  type BasicRuntime,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';
import { UNDEFINED_PLACEHOLDER } from './dashboard-filter.ts';
import type { MutationOptions } from './function-runner.ts';

const ADMIN = { admin: true };
const SUCCESS = { success: true, value: { success: true } };
const SCHEMA_REFUSAL = expect.stringMatching(
  /^Uncaught ConvexError: Failed to insert or update a document in table "counters" because it does not match the schema: /,
) as string;

function edit(
  rt: BasicRuntime,
  name: string,
  args: Record<string, Value>,
  options: MutationOptions = ADMIN,
) {
  return rt.runner.runMutation(`_system/frontend/${name}`, args, options);
}

/** The table's documents, oldest first. */
async function contents(
  rt: BasicRuntime,
  table: string,
): Promise<Record<string, Value>[]> {
  const outcome = await rt.runner.runQuery(
    '_system/frontend/paginatedTableDocuments',
    {
      table,
      filters: null,
      order: 'asc',
      paginationOpts: { numItems: 100, cursor: null },
    },
    ADMIN,
  );
  if (!outcome.success) throw new Error(outcome.errorMessage);
  return (outcome.value as { page: Record<string, Value>[] }).page;
}

async function idsOf(rt: BasicRuntime, table: string): Promise<string[]> {
  return (await contents(rt, table)).map(
    (document) => document['_id'] as string,
  );
}

describe('addDocument', () => {
  test('inserts the documents, which the next query shows', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await edit(rt, 'addDocument', {
        table: 'counters',
        documents: [
          { name: 'a', value: 1 },
          { name: 'b', value: 2 },
        ],
      }),
    ).toMatchObject(SUCCESS);
    expect(await contents(rt, 'counters')).toMatchObject([
      { name: 'a', value: 1 },
      { name: 'b', value: 2 },
    ]);
    // A table no schema declares is created by its first document.
    expect(
      await edit(rt, 'addDocument', {
        table: 'notes',
        documents: [{ text: 'hi' }],
      }),
    ).toMatchObject(SUCCESS);
    expect(await contents(rt, 'notes')).toMatchObject([{ text: 'hi' }]);
  });

  test('refuses a document the schema refuses with Convex’s message, and commits none of the others', async () => {
    await using rt = await startBasicRuntime();
    const refused = await edit(rt, 'addDocument', {
      table: 'counters',
      documents: [
        { name: 'fine', value: 1 },
        { name: 'wrong', value: 'not a number' },
      ],
    });
    expect(refused).toMatchObject({
      success: false,
      errorMessage: SCHEMA_REFUSAL,
      errorData: expect.stringMatching(/^Failed to insert/) as string,
    });
    expect(await contents(rt, 'counters')).toEqual([]);
  });

  test('refuses system fields and system tables', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await edit(rt, 'addDocument', {
        table: 'counters',
        documents: [{ _id: 'x', name: 'a', value: 1 }],
      }),
    ).toMatchObject({
      success: false,
      errorMessage: expect.stringContaining('system field `_id`') as string,
    });
    expect(
      await edit(rt, 'addDocument', { table: '_storage', documents: [{}] }),
    ).toMatchObject({
      success: false,
      errorMessage:
        'Uncaught ConvexError: Cannot insert into system table _storage.',
    });
  });

  test('more than 4,096 documents at once is refused as a value', async () => {
    await using rt = await startBasicRuntime();
    const documents = Array.from({ length: 4097 }, (_, i) => ({
      name: `n${i}`,
      value: i,
    }));
    expect(
      await edit(rt, 'addDocument', { table: 'counters', documents }),
    ).toMatchObject({
      success: true,
      value: {
        success: false,
        error: 'Can’t import more than 4096 documents at once.',
      },
    });
    expect(await contents(rt, 'counters')).toEqual([]);
  });
});

describe('patchDocumentsFields', () => {
  test('patches the listed documents, or the whole table; the placeholder removes a field', async () => {
    await using rt = await startBasicRuntime();
    await edit(rt, 'addDocument', {
      table: 'messages',
      documents: [
        { channel: 'c', body: 'one', author: 'ada' },
        { channel: 'c', body: 'two', author: 'bob' },
      ],
    });
    const [first] = await idsOf(rt, 'messages');
    expect(
      await edit(rt, 'patchDocumentsFields', {
        table: 'messages',
        fields: { channel: 'moved', author: UNDEFINED_PLACEHOLDER },
        ids: [first ?? ''],
      }),
    ).toMatchObject(SUCCESS);
    const patched = await contents(rt, 'messages');
    expect(patched[0]).toMatchObject({ channel: 'moved', body: 'one' });
    expect(patched[0]).not.toHaveProperty('author');
    expect(patched[1]).toMatchObject({ channel: 'c', author: 'bob' });

    expect(
      await edit(rt, 'patchDocumentsFields', {
        table: 'messages',
        fields: { channel: 'everywhere' },
      }),
    ).toMatchObject(SUCCESS);
    expect(
      (await contents(rt, 'messages')).map((document) => document['channel']),
    ).toEqual(['everywhere', 'everywhere']);
  });

  test('a patch the schema refuses changes nothing', async () => {
    await using rt = await startBasicRuntime();
    await edit(rt, 'addDocument', {
      table: 'counters',
      documents: [
        { name: 'a', value: 1 },
        { name: 'b', value: 2 },
      ],
    });
    expect(
      await edit(rt, 'patchDocumentsFields', {
        table: 'counters',
        fields: { value: 'three' },
      }),
    ).toMatchObject({ success: false, errorMessage: SCHEMA_REFUSAL });
    expect(
      (await contents(rt, 'counters')).map((document) => document['value']),
    ).toEqual([1, 2]);
  });
});

describe('replaceDocument', () => {
  test('replaces a document’s fields, its own system fields allowed along', async () => {
    await using rt = await startBasicRuntime();
    await edit(rt, 'addDocument', {
      table: 'counters',
      documents: [{ name: 'a', value: 1 }],
    });
    const [before] = await contents(rt, 'counters');
    const id = before?.['_id'] as string;
    expect(
      await edit(rt, 'replaceDocument', {
        table: 'counters',
        id,
        document: { ...before, name: 'renamed', value: 7 },
      }),
    ).toMatchObject(SUCCESS);
    expect(await contents(rt, 'counters')).toEqual([
      { ...before, name: 'renamed', value: 7 },
    ]);

    expect(
      await edit(rt, 'replaceDocument', {
        table: 'counters',
        id,
        document: { name: 'renamed' },
      }),
    ).toMatchObject({ success: false, errorMessage: SCHEMA_REFUSAL });
    expect(
      await edit(rt, 'replaceDocument', {
        table: 'counters',
        id,
        document: { _creationTime: 1, name: 'x', value: 1 },
      }),
    ).toMatchObject({
      success: false,
      errorMessage: expect.stringContaining(
        "does not match the existing document's _creationTime",
      ) as string,
    });
    expect(await contents(rt, 'counters')).toMatchObject([
      { name: 'renamed', value: 7 },
    ]);
  });

  test('a document that is gone is refused as a value', async () => {
    await using rt = await startBasicRuntime();
    await edit(rt, 'addDocument', {
      table: 'counters',
      documents: [{ name: 'a', value: 1 }],
    });
    const [id] = await idsOf(rt, 'counters');
    await edit(rt, 'deleteDocuments', {
      toDelete: [{ id: id ?? '', tableName: 'counters' }],
    });
    expect(
      await edit(rt, 'replaceDocument', {
        table: 'counters',
        id: id ?? '',
        document: { name: 'b', value: 2 },
      }),
    ).toMatchObject({
      success: true,
      value: { success: false, error: 'Document does not exist.' },
    });
  });
});

describe('deleteDocuments', () => {
  test('deletes the documents; an id of another table fails the whole mutation', async () => {
    await using rt = await startBasicRuntime();
    await edit(rt, 'addDocument', {
      table: 'counters',
      documents: [
        { name: 'a', value: 1 },
        { name: 'b', value: 2 },
        { name: 'c', value: 3 },
      ],
    });
    const [a, b, c] = await idsOf(rt, 'counters');
    expect(
      await edit(rt, 'deleteDocuments', {
        toDelete: [
          { id: a ?? '', tableName: 'counters' },
          { id: b ?? '', tableName: 'counters' },
        ],
      }),
    ).toMatchObject(SUCCESS);
    expect(await idsOf(rt, 'counters')).toEqual([c]);

    expect(
      await edit(rt, 'deleteDocuments', {
        toDelete: [
          { id: c ?? '', tableName: 'counters' },
          { id: c ?? '', tableName: 'messages' },
        ],
      }),
    ).toMatchObject({
      success: false,
      errorMessage: expect.stringContaining(
        'is not an ID of table "messages"',
      ) as string,
    });
    expect(await idsOf(rt, 'counters')).toEqual([c]);
  });

  test('more than 4,096 at once is refused as a value', async () => {
    await using rt = await startBasicRuntime();
    const toDelete = Array.from({ length: 4097 }, () => ({
      id: 'x',
      tableName: 'counters',
    }));
    expect(await edit(rt, 'deleteDocuments', { toDelete })).toMatchObject({
      success: true,
      value: { success: false, error: expect.any(String) as string },
    });
  });
});

describe('the dashboard’s mutations', () => {
  test('only an admin acting as itself runs them', async () => {
    await using rt = await startBasicRuntime();
    const calls: [string, Record<string, Value>][] = [
      [
        'addDocument',
        { table: 'counters', documents: [{ name: 'a', value: 1 }] },
      ],
      ['patchDocumentsFields', { table: 'counters', fields: { value: 2 } }],
      ['replaceDocument', { table: 'counters', id: 'x', document: {} }],
      ['deleteDocuments', { toDelete: [] }],
    ];
    for (const options of [
      {},
      { fromClient: true },
      { admin: true, identity: { subject: 'ada' } },
    ])
      for (const [name, args] of calls)
        expect(await edit(rt, name, args, options)).toMatchObject({
          success: false,
          errorMessage: 'Operation mutation not permitted',
        });
    expect(await contents(rt, 'counters')).toEqual([]);
  });

  test('their arguments are validated, and execution listeners hear nothing of them', async () => {
    await using rt = await startBasicRuntime();
    const heard: string[] = [];
    rt.runner.onExecution((record) => heard.push(record.path));
    expect(await edit(rt, 'addDocument', { documents: [] })).toMatchObject({
      success: false,
      errorMessage: expect.stringMatching(
        /^ArgumentValidationError: Object is missing the required field `table`/,
      ) as string,
    });
    await edit(rt, 'addDocument', { table: 'notes', documents: [{ a: 1 }] });
    expect(heard).toEqual([]);
  });

  test('a session’s request is applied once, however often it is sent', async () => {
    await using rt = await startBasicRuntime();
    const options = {
      ...ADMIN,
      session: { sessionId: 'dashboard-tab', requestId: 7 },
    };
    const args = { table: 'notes', documents: [{ text: 'once' }] };
    const first = await edit(rt, 'addDocument', args, options);
    const again = await edit(rt, 'addDocument', args, options);
    expect(first).toMatchObject(SUCCESS);
    expect(again).toEqual({ ...first, logLines: [] });
    expect(await contents(rt, 'notes')).toHaveLength(1);
  });
});

/**
 * The dashboard's system functions on PostgreSQL, where mutations do not
 * take turns but run side by side under OCC: an admin inserts, pages,
 * patches and deletes through them, and a document the schema refuses is
 * refused with nothing written.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { TEST_ADMIN_KEY, startTestServer } from '../helpers/converge-server.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';

interface Page {
  page: { _id: string; text: string }[];
  isDone: boolean;
}

const addDocument = makeFunctionReference<'mutation'>(
  '_system/frontend/addDocument',
);
const patchDocumentsFields = makeFunctionReference<'mutation'>(
  '_system/frontend/patchDocumentsFields',
);
const deleteDocuments = makeFunctionReference<'mutation'>(
  '_system/frontend/deleteDocuments',
);
const documents = makeFunctionReference<'query', Record<string, unknown>, Page>(
  '_system/frontend/paginatedTableDocuments',
);

test('an admin edits documents through the system functions on PostgreSQL', async () => {
  await using database = await freshDatabase('converge_dashboard');
  await using server = await startTestServer('e2e', {
    databaseUrl: database.url,
  });
  const admin = new ConvexHttpClient(server.url);
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(
    TEST_ADMIN_KEY,
  );
  const page = () =>
    admin.query(documents, {
      table: 'notes',
      paginationOpts: { numItems: 50, cursor: null },
      filters: null,
    });

  // Ten inserts side by side: each commits once.
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      admin.mutation(addDocument, {
        table: 'notes',
        documents: [{ list: 'pg', text: `note ${i}` }],
      }),
    ),
  );
  const inserted = await page();
  expect(inserted.page).toHaveLength(10);
  expect(inserted.isDone).toBe(true);

  const ids = inserted.page.slice(0, 3).map((note) => note._id);
  expect(
    await admin.mutation(patchDocumentsFields, {
      table: 'notes',
      ids,
      fields: { text: 'patched' },
    }),
  ).toEqual({ success: true });
  expect(
    (await page()).page.filter((note) => note.text === 'patched'),
  ).toHaveLength(3);

  await expect(
    admin.mutation(addDocument, { table: 'notes', documents: [{ list: 3 }] }),
  ).rejects.toThrow(/does not match the schema/);
  expect((await page()).page).toHaveLength(10);

  expect(
    await admin.mutation(deleteDocuments, {
      toDelete: ids.map((id) => ({ id, tableName: 'notes' })),
    }),
  ).toEqual({ success: true });
  expect((await page()).page).toHaveLength(7);
});

/**
 * Pushed code on PostgreSQL lives in the database, not on a server's disk:
 * `npx convex deploy` through one server, and another server started on
 * the same database, with a data directory and no functions of its own,
 * serves what was pushed. DATABASE_URL names the PostgreSQL server;
 * unreachable means failing, never skipping.
 */
import { join } from 'node:path';
import { makeFunctionReference } from 'convex/server';
import { expect, test, vi } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { convexProject } from '../helpers/convex-cli.ts';
import {
  TEST_ADMIN_KEY,
  startTestServer,
  temporaryDataDir,
} from '../helpers/converge-server.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const NOTES = `
import { v } from 'convex/values';
import { mutation, query } from './_generated/server';
export const add = mutation({
  args: { text: v.string() },
  handler: (ctx, { text }) => ctx.db.insert('notes', { text }),
});
export const all = query({
  args: {},
  handler: async (ctx) => (await ctx.db.query('notes').collect()).map((n) => n.text),
});
`;
const add = makeFunctionReference<'mutation'>('notes:add');
const all = makeFunctionReference<'query', Record<string, never>, string[]>(
  'notes:all',
);

test('code pushed through one server is served by another started on the same PostgreSQL database', async () => {
  await using database = await freshDatabase('converge_push');
  await using firstData = temporaryDataDir();
  await using secondData = temporaryDataDir();
  const on = (dir: string) => ({
    data: dir,
    databaseUrl: database.url,
    functions: join(dir, 'no-functions'),
  });
  await using first = await startTestServer('basic', on(firstData.path));
  await using project = convexProject(
    { url: first.url, adminKey: TEST_ADMIN_KEY },
    { 'notes.ts': NOTES },
  );
  const deploy = await project.run(['deploy', '--typecheck', 'disable']);
  expect(deploy.code, deploy.stderr).toBe(0);
  await using clients = convexClients(first.url);
  await clients.open().mutation(add, { text: 'written through the first' });

  await using second = await startTestServer('basic', on(secondData.path));
  expect(second.logs.join('\n')).toContain('serving the code pushed last');
  await using secondClients = convexClients(second.url);
  expect(await secondClients.open().query(all, {})).toEqual([
    'written through the first',
  ]);
}, 60_000);

const SCHEMA_WITH_INDEX = `
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  notes: defineTable({ text: v.string() }).index('by_text', ['text']),
});
`;
const NOTES_BY_TEXT = NOTES.replace(
  "(await ctx.db.query('notes').collect())",
  "(await ctx.db.query('notes').withIndex('by_text').order('desc').collect())",
);

test('a push through one server goes live on another already running on the same database, new index included', async () => {
  await using database = await freshDatabase('converge_push');
  await using firstData = temporaryDataDir();
  await using secondData = temporaryDataDir();
  const on = (dir: string) => ({
    data: dir,
    databaseUrl: database.url,
    functions: join(dir, 'no-functions'),
  });
  await using first = await startTestServer('basic', on(firstData.path));
  await using second = await startTestServer('basic', on(secondData.path));
  await using project = convexProject(
    { url: first.url, adminKey: TEST_ADMIN_KEY },
    { 'notes.ts': NOTES },
  );
  const deploy = await project.run(['deploy', '--typecheck', 'disable']);
  expect(deploy.code, deploy.stderr).toBe(0);

  // The second server never saw the push request, yet serves the code
  // once it has heard of it and loaded it from the stored modules.
  await vi.waitFor(
    () =>
      expect(second.logs.join('\n')).toContain(
        'pushed through another process',
      ),
    { timeout: 10_000 },
  );
  await using clients = convexClients(second.url);
  const client = clients.open();
  for (const text of ['b', 'a', 'c']) await client.mutation(add, { text });
  using notes = watchQuery(client, all, {});
  expect(await notes.next((texts) => texts.length === 3)).toEqual([
    'b',
    'a',
    'c',
  ]);

  // A schema with an index, and a query that reads through it, pushed
  // through the first: the subscriber on the second sees the new order.
  project.write('schema.ts', SCHEMA_WITH_INDEX);
  project.write('notes.ts', NOTES_BY_TEXT);
  const again = await project.run(['deploy', '--typecheck', 'disable']);
  expect(again.code, again.stderr).toBe(0);
  expect(await notes.next((texts) => texts[0] === 'c')).toEqual([
    'c',
    'b',
    'a',
  ]);
  // Written through the second, found through the index on the first.
  await client.mutation(add, { text: 'd' });
  await using firstClients = convexClients(first.url);
  using onFirst = watchQuery(firstClients.open(), all, {});
  expect(await onFirst.next((texts) => texts.length === 4)).toEqual([
    'd',
    'c',
    'b',
    'a',
  ]);
  expect(notes.errors).toEqual([]);
}, 90_000);

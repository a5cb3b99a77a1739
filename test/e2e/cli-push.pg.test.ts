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
import { type ConvexProject, convexProject } from '../helpers/convex-cli.ts';
import {
  TEST_ADMIN_KEY,
  type TestServer,
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

/**
 * Servers with no functions of their own, started one after another on
 * one fresh database, each with a data directory of its own; all gone on
 * dispose.
 */
async function onOneDatabase() {
  const database = await freshDatabase('converge_push');
  const dirs: AsyncDisposable[] = [];
  const servers: TestServer[] = [];
  return {
    async start(): Promise<TestServer> {
      const dir = temporaryDataDir();
      dirs.push(dir);
      const server = await startTestServer('basic', {
        data: dir.path,
        databaseUrl: database.url,
        functions: join(dir.path, 'no-functions'),
      });
      servers.push(server);
      return server;
    },
    async [Symbol.asyncDispose]() {
      for (const server of servers.reverse()) await server.close();
      for (const dir of dirs) await dir[Symbol.asyncDispose]();
      await database[Symbol.asyncDispose]();
    },
  };
}

/** `npx convex deploy` of the project, which must succeed. */
async function deploy(project: ConvexProject): Promise<void> {
  const deployed = await project.run(['deploy', '--typecheck', 'disable']);
  expect(deployed.code, deployed.stderr).toBe(0);
}

test('code pushed through one server is served by another started on the same PostgreSQL database', async () => {
  await using servers = await onOneDatabase();
  const first = await servers.start();
  await using project = convexProject(
    { url: first.url, adminKey: TEST_ADMIN_KEY },
    { 'notes.ts': NOTES },
  );
  await deploy(project);
  await using clients = convexClients(first.url);
  await clients.open().mutation(add, { text: 'written through the first' });

  const second = await servers.start();
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
  await using servers = await onOneDatabase();
  const first = await servers.start();
  const second = await servers.start();
  await using project = convexProject(
    { url: first.url, adminKey: TEST_ADMIN_KEY },
    { 'notes.ts': NOTES },
  );
  await deploy(project);

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
  await deploy(project);
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

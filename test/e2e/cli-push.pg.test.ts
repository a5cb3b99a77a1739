/**
 * Pushed code on PostgreSQL lives in the database, not on a server's disk:
 * `npx convex deploy` through one server, and another server started on
 * the same database, with a data directory and no functions of its own,
 * serves what was pushed. DATABASE_URL names the PostgreSQL server;
 * unreachable means failing, never skipping.
 */
import { join } from 'node:path';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { convexProject } from '../helpers/convex-cli.ts';
import {
  TEST_ADMIN_KEY,
  startTestServer,
  temporaryDataDir,
} from '../helpers/converge-server.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';

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

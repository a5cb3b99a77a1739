/**
 * The official CLI pushes an app to Converge as it would to a self-hosted
 * Convex: `npx convex deploy` into a server that started with no functions,
 * the official client calling what it deployed, `npx convex dev --once`
 * changing a function under a connected subscriber, a push that does not
 * load leaving the previous code live, and a restart serving the code
 * pushed last.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { convexProject } from '../helpers/convex-cli.ts';
import {
  TEST_ADMIN_KEY,
  startTestServer,
  temporaryDataDir,
} from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const schema = (body: string, indexes = '') => `
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  messages: defineTable({ channel: v.string(), body: ${body} }).index('by_channel', ['channel'])${indexes},
});
`;
const SCHEMA = schema('v.string()');
const messages = (text: string) => `
import { v } from 'convex/values';
import { mutation, query } from './_generated/server';
export const send = mutation({
  args: { channel: v.string(), body: v.string() },
  handler: (ctx, message) => ctx.db.insert('messages', message),
});
export const list = query({
  args: { channel: v.string() },
  handler: (ctx, { channel }) =>
    ctx.db.query('messages').withIndex('by_channel', (q) => q.eq('channel', channel)).collect(),
});
export const greeting = query({ args: {}, handler: async () => ${JSON.stringify(text)} });
export const byBody = query({
  args: { body: v.string() },
  handler: (ctx, { body }) =>
    ctx.db.query('messages').withIndex('by_body', (q) => q.eq('body', body)).collect(),
});
`;
const send = makeFunctionReference<'mutation'>('messages:send');
const list = makeFunctionReference<'query'>('messages:list');
const byBody = makeFunctionReference<'query'>('messages:byBody');
const greeting = makeFunctionReference<'query', Record<string, never>, string>(
  'messages:greeting',
);
/** The CLI's own bundling, push and codegen take a few seconds each; four pushes and a restart fit here. */
const TIMEOUT_MS = 120_000;

test(
  'npx convex deploy and dev --once push code the official client then runs, live, and it survives a restart',
  async () => {
    await using data = temporaryDataDir();
    const options = {
      data: data.path,
      functions: join(data.path, 'no-functions'),
    };
    let server = await startTestServer('basic', options);
    await using project = convexProject(
      { url: server.url, adminKey: TEST_ADMIN_KEY },
      {
        'schema.ts': SCHEMA,
        'messages.ts': messages('hello from the first push'),
      },
    );

    // The server started with no functions; the CLI deploys the app.
    const deploy = await project.run(['deploy', '--typecheck', 'disable']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toContain('Added table indexes:');
    expect(deploy.stderr).toContain('messages.by_channel');
    expect(deploy.stderr).toContain('Deployed Convex functions');

    {
      await using clients = convexClients(server.url);
      const client = clients.open();
      await client.mutation(send, {
        channel: 'general',
        body: 'first',
      });
      expect(await client.query(list, { channel: 'general' })).toMatchObject([
        { channel: 'general', body: 'first' },
      ]);

      // A subscriber stays connected while `dev --once` pushes a change,
      // which also adds an index, built over the documents already there.
      using greetings = watchQuery(client, greeting, {});
      expect(await greetings.next()).toBe('hello from the first push');
      project.write('messages.ts', messages('hello from dev --once'));
      project.write(
        'schema.ts',
        schema('v.string()', `.index('by_body', ['body'])`),
      );
      const dev = await project.run([
        'dev',
        '--once',
        '--typecheck',
        'disable',
      ]);
      expect(dev.code, dev.stderr).toBe(0);
      expect(
        await greetings.next((value) => value === 'hello from dev --once'),
      ).toBe('hello from dev --once');
      expect(greetings.errors).toEqual([]);
      expect(stripVTControlCharacters(dev.stderr)).toContain(
        '[+] messages.by_body',
      );
      expect(await client.query(byBody, { body: 'first' })).toMatchObject([
        { channel: 'general', body: 'first' },
      ]);

      // A schema the stored documents break fails the push, naming the table, and changes nothing.
      project.write(
        'schema.ts',
        schema('v.number()', `.index('by_body', ['body'])`),
      );
      const invalid = await project.run(['deploy', '--typecheck', 'disable']);
      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toContain('Schema validation failed');
      expect(invalid.stderr).toContain(
        'in table "messages" does not match the schema',
      );
      project.write(
        'schema.ts',
        schema('v.string()', `.index('by_body', ['body'])`),
      );
      await client.mutation(send, { channel: 'general', body: 'second' });

      // A push whose code throws at import is refused with the error; the code before stays live.
      project.write(
        'broken.ts',
        `import { query } from './_generated/server';
         export const never = query({ args: {}, handler: async () => 1 });
         throw new Error('broken at import time');`,
      );
      const broken = await project.run(['deploy', '--typecheck', 'disable']);
      expect(broken.code).not.toBe(0);
      expect(broken.stderr).toContain('broken at import time');
      expect(await client.query(greeting, {})).toBe('hello from dev --once');
    }

    // `dev` wrote where the deployment is, as it does for a self-hosted one.
    expect(readFileSync(join(project.dir, '.env.local'), 'utf8')).toContain(
      `CONVEX_URL=${server.url}`,
    );

    // Restarted with no functions directory, the server serves what was pushed last.
    await server.close();
    server = await startTestServer('basic', options);
    try {
      await using clients = convexClients(server.url);
      const client = clients.open();
      expect(await client.query(greeting, {})).toBe('hello from dev --once');
      expect(await client.query(list, { channel: 'general' })).toMatchObject([
        { body: 'first' },
        { body: 'second' },
      ]);
    } finally {
      await server.close();
    }
  },
  TIMEOUT_MS,
);

/**
 * `converge dev` under the official client: a developer edits the functions
 * directory while a client is subscribed. The server is started the way the
 * CLI starts it (`startDevServer`), over a copy of test/apps/dev that the
 * test rewrites file by file, as an editor would.
 */
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeFunctionReference } from 'convex/server';
import { describe, expect, test } from 'vitest';
import { createLogger } from '../../src/cli/logger.ts';
import { startDevServer } from '../../src/cli/start-dev-server.ts';
import type { RunningServer } from '../../src/cli/start-server.ts';
import { convexClients } from '../helpers/convex-clients.ts';
import { TEST_ADMIN_KEY } from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const list = makeFunctionReference<'query', Record<string, never>, string[]>(
  'notes:list',
);
const add = makeFunctionReference<'mutation', { text: string }, null>(
  'notes:add',
);

/** The second version of the app: notes shout, read in order through a new index. */
const SHOUTING_SCHEMA = `
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  notes: defineTable({ text: v.string() }).index('by_text', ['text']),
});
`;
const SHOUTING_NOTES = `
import { mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

export const list = queryGeneric({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.query('notes').withIndex('by_text').collect()).map(
      (note) => note.text.toUpperCase() + '!',
    ),
});

export const add = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    await ctx.db.insert('notes', { text });
  },
});
`;
/** A module the second version adds: codegen must list it in _generated/api.d.ts. */
const TAGS = `
import { queryGeneric } from 'convex/server';
export const all = queryGeneric({ args: {}, handler: async () => [] });
`;

type LogRecord = Record<string, unknown> & { msg: string };

interface DevServer extends AsyncDisposable {
  server: RunningServer;
  /** The copy of the app the server watches. */
  functions: string;
  logs: LogRecord[];
  /** The first log record, written already or later, that passes `check`. */
  nextLog(check: (record: LogRecord) => boolean): Promise<LogRecord>;
  /** Rewrites a file of the app, as saving it in an editor does. */
  edit(file: string, text: string): void;
}

async function devServer(): Promise<DevServer> {
  const root = mkdtempSync(join(tmpdir(), 'converge-dev-'));
  const functions = join(root, 'convex');
  cpSync(new URL('../apps/dev/', import.meta.url).pathname, functions, {
    recursive: true,
  });
  const logs: LogRecord[] = [];
  const logger = createLogger({
    destination: {
      write: (line: string) => logs.push(JSON.parse(line) as LogRecord),
    },
  });
  const started = await startDevServer(
    {
      functions,
      port: 0,
      sitePort: 0,
      host: '127.0.0.1',
      data: join(root, 'data'),
      databaseUrl: undefined,
      adminKey: TEST_ADMIN_KEY,
      jwtSecret: undefined,
      envFile: undefined,
      drainMs: 0,
      cloudOrigin: undefined,
      siteOrigin: undefined,
    },
    { version: 'test', logger },
  );
  if (!started.success) throw new Error(started.error);
  const { server } = started;
  return {
    server,
    functions,
    logs,
    async nextLog(check) {
      for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
        const found = logs.find(check);
        if (found) return found;
        await sleep(20);
      }
      throw new Error(
        `no such log record; got: ${logs.map((r) => r.msg).join(' | ')}`,
      );
    },
    edit: (file, text) => writeFileSync(join(functions, file), text),
    async [Symbol.asyncDispose]() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const reloads = (logs: LogRecord[]) =>
  logs.filter((r) => r.msg === 'functions reloaded').length;

describe('converge dev', () => {
  test('an edit reaches a subscribed client as a new result on the same socket', async () => {
    await using dev = await devServer();
    await using clients = convexClients(dev.server.url);
    const client = clients.open();
    using notes = watchQuery(client, list, {});
    expect(await notes.next()).toEqual([]);
    await client.mutation(add, { text: 'first' });
    expect(await notes.next((v) => v.length === 1)).toEqual(['first']);

    // The developer saves a new version: notes shout, through a new index,
    // and there is a new module.
    dev.edit('schema.ts', SHOUTING_SCHEMA);
    dev.edit('notes.ts', SHOUTING_NOTES);
    dev.edit('tags.ts', TAGS);

    // The subscription the client already had delivers the new code's result:
    // nothing was committed, and the client never reconnected.
    expect(await notes.next((v) => v[0] === 'FIRST!')).toEqual(['FIRST!']);
    expect(client.connectionState().connectionCount).toBe(1);
    expect(dev.server.sync.connections).toBe(1);

    // New writes are read by the new code too, in the new index's order.
    await client.mutation(add, { text: 'again' });
    expect(await notes.next((v) => v.length === 2)).toEqual([
      'AGAIN!',
      'FIRST!',
    ]);

    // Codegen ran: the new module is in the generated API.
    const api = readFileSync(join(dev.functions, '_generated', 'api.d.ts'), {
      encoding: 'utf8',
    });
    expect(api).toContain('tags: typeof tags;');

    // And its writes to _generated/ did not set off more reloads.
    const settled = reloads(dev.logs);
    expect(settled).toBeGreaterThan(0);
    await sleep(600);
    expect(reloads(dev.logs)).toBe(settled);
  });

  test('a broken edit is logged, and the previous code stays live until it is fixed', async () => {
    await using dev = await devServer();
    await using clients = convexClients(dev.server.url);
    const client = clients.open();
    using notes = watchQuery(client, list, {});
    await client.mutation(add, { text: 'first' });
    expect(await notes.next((v) => v.length === 1)).toEqual(['first']);

    // A save in the middle of typing: the file does not parse.
    dev.edit('notes.ts', `${SHOUTING_NOTES}\nexport const half = (`);
    const failure = await dev.nextLog(
      (r) =>
        r.msg === 'the functions failed to load: the previous code stays live',
    );
    expect(failure['level']).toBe(50);
    expect(failure['error']).toContain('Bundling failed');

    // The old code still answers, on the same socket.
    await client.mutation(add, { text: 'second' });
    expect(await notes.next((v) => v.length === 2)).toEqual([
      'first',
      'second',
    ]);
    expect(client.connectionState().connectionCount).toBe(1);

    // The developer finishes typing, and adds the index it reads through;
    // the new code goes live.
    dev.edit('schema.ts', SHOUTING_SCHEMA);
    dev.edit('notes.ts', SHOUTING_NOTES);
    expect(await notes.next((v) => v[0] === 'FIRST!')).toEqual([
      'FIRST!',
      'SECOND!',
    ]);
  });
});

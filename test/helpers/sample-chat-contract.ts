/**
 * The sample chat in functions/, as its users rely on it: driven by the
 * official `ConvexClient`, by plain `fetch` on the site port, and by
 * examples/chat-client.ts. Users sign in with HS256 tokens signed with the
 * server's development secret (`SAMPLE_JWT_SECRET`); every test chats in a
 * room of its own on one shared server.
 *
 * Every server that runs the app passes it: `converge serve` over the
 * directory (test/e2e/sample-app.test.ts) and a server the official CLI
 * deployed it to (test/e2e/cli-push-apps.test.ts).
 */
import { spawn } from 'node:child_process';
import type { ConvexClient } from 'convex/browser';
import type { FunctionReturnType } from 'convex/server';
import { ConvexError } from 'convex/values';
import { SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { api } from '../../functions/_generated/api.js';
import type { Id } from '../../functions/_generated/dataModel.js';
import { convexClients } from './convex-clients.ts';
import { watchQuery } from './query-watch.ts';

/** A server running the sample app, with its development secret set to SAMPLE_JWT_SECRET. */
export interface SampleServer {
  url: string;
  siteUrl: string;
}

/** The development secret the app's users sign their tokens with: the server must be given it. */
export const SAMPLE_JWT_SECRET = 'the sample app test secret';
const FIRST_PAGE = { numItems: 20, cursor: null };

/** A development token, as examples/chat-client.ts signs one. */
async function devToken(name: string): Promise<string> {
  return await new SignJWT({ name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('https://chat.converge.test')
    .setSubject(name.toLowerCase())
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SAMPLE_JWT_SECRET));
}

/** Resolves once the server has accepted the client's token. */
async function signIn(client: ConvexClient, name: string): Promise<void> {
  const token = await devToken(name);
  const confirmed = await new Promise<boolean>((resolve) => {
    client.setAuth(async () => token, resolve);
  });
  if (!confirmed) throw new Error(`the server refused ${name}'s token`);
}

/** A page of messages as a chat window shows it: `author: body`, newest first. */
function lines(page: readonly { author: string; body: string }[]): string[] {
  return page.map(({ author, body }) => `${author}: ${body}`);
}

/** The app's checks, against the server `server()` returns when they run. */
export function describeSampleChat(
  name: string,
  server: () => SampleServer,
): void {
  describe(name, () => {
    test('two signed-in users chat in a room and each sees the other live', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      const bob = clients.open();
      await signIn(alice, 'Alice');
      await signIn(bob, 'Bob');

      const roomId = await alice.mutation(api.rooms.create, { name: 'lobby' });
      // Creating a room that exists joins it.
      expect(await bob.mutation(api.rooms.create, { name: 'lobby' })).toBe(
        roomId,
      );
      expect(await bob.query(api.rooms.list, {})).toMatchObject([
        { name: 'lobby' },
      ]);

      // Both are watching the empty room before anyone speaks.
      const args = { roomId, paginationOpts: FIRST_PAGE };
      using aliceSees = watchQuery(alice, api.messages.list, args);
      using bobSees = watchQuery(bob, api.messages.list, args);
      expect((await aliceSees.next()).page).toEqual([]);
      expect((await bobSees.next()).page).toEqual([]);

      await alice.mutation(api.messages.send, { roomId, body: 'hi bob' });
      const bobsView = await bobSees.next((r) => r.page.length === 1);
      expect(lines(bobsView.page)).toEqual(['Alice: hi bob']);

      await bob.mutation(api.messages.send, { roomId, body: ' hi alice ' });
      const alicesView = await aliceSees.next((r) => r.page.length === 2);
      expect(lines(alicesView.page)).toEqual([
        'Bob: hi alice',
        'Alice: hi bob',
      ]);
    });

    test('signed out, a client reads but sending is refused with a ConvexError it can show', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      const guest = clients.open();
      await signIn(alice, 'Alice');
      const roomId = await alice.mutation(api.rooms.create, { name: 'guests' });
      await alice.mutation(api.messages.send, { roomId, body: 'welcome' });

      const refusal = await guest
        .mutation(api.messages.send, { roomId, body: 'let me in' })
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(ConvexError);
      expect((refusal as ConvexError<string>).data).toBe(
        'Sign in to send messages.',
      );
      await expect(
        guest.mutation(api.rooms.create, { name: 'mine' }),
      ).rejects.toThrow('Sign in to create a room.');
      await expect(guest.action(api.bot.summarize, { roomId })).rejects.toThrow(
        'Sign in to summarize a room.',
      );

      const { page } = await guest.query(api.messages.list, {
        roomId,
        paginationOpts: FIRST_PAGE,
      });
      expect(lines(page)).toEqual(['Alice: welcome']);
    });

    test('history comes newest first, a page at a time, each page starting where the last ended', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      await signIn(alice, 'Alice');
      const roomId = await alice.mutation(api.rooms.create, {
        name: 'history',
      });
      for (const body of ['one', 'two', 'three', 'four', 'five']) {
        await alice.mutation(api.messages.send, { roomId, body });
      }

      const pages: string[][] = [];
      let cursor: string | null = null;
      for (;;) {
        const result: FunctionReturnType<typeof api.messages.list> =
          await alice.query(api.messages.list, {
            roomId,
            paginationOpts: { numItems: 2, cursor },
          });
        pages.push(result.page.map((m) => m.body));
        if (result.isDone) break;
        cursor = result.continueCursor;
      }
      expect(pages).toEqual([['five', 'four'], ['three', 'two'], ['one']]);
    });

    test('search finds the room’s messages by word, and only that room’s', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      await signIn(alice, 'Alice');
      const roomId = await alice.mutation(api.rooms.create, { name: 'search' });
      const elsewhere = await alice.mutation(api.rooms.create, {
        name: 'search-elsewhere',
      });
      await alice.mutation(api.messages.send, {
        roomId,
        body: 'the deploy is green',
      });
      await alice.mutation(api.messages.send, { roomId, body: 'lunch?' });
      await alice.mutation(api.messages.send, {
        roomId: elsewhere,
        body: 'another deploy',
      });

      const found = await alice.query(api.messages.search, {
        roomId,
        text: 'deploy',
      });
      expect(found.map((m) => m.body)).toEqual(['the deploy is green']);
    });

    test('presence lists who sent a heartbeat, and drops whoever leaves', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      const bob = clients.open();
      await signIn(alice, 'Alice');
      await signIn(bob, 'Bob');
      const roomId = await alice.mutation(api.rooms.create, {
        name: 'presence',
      });

      using here = watchQuery(alice, api.presence.list, { roomId });
      expect(await here.next()).toEqual([]);
      await alice.mutation(api.presence.heartbeat, { roomId });
      await bob.mutation(api.presence.heartbeat, { roomId });
      const names = (users: readonly { name: string }[]) =>
        users.map((u) => u.name);
      expect(names(await here.next((users) => users.length === 2))).toEqual([
        'Alice',
        'Bob',
      ]);

      const beforeBobLeft = here.values.length;
      await bob.mutation(api.presence.leave, { roomId });
      const afterBobLeft = await here.next(
        (users) => here.values.indexOf(users) >= beforeBobLeft,
      );
      expect(names(afterBobLeft)).toEqual(['Alice']);
    });

    test('an ephemeral message is deleted by its scheduled job', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      await signIn(alice, 'Alice');
      const roomId = await alice.mutation(api.rooms.create, {
        name: 'ephemeral',
      });
      await alice.mutation(api.messages.send, { roomId, body: 'stays' });

      using seen = watchQuery(alice, api.messages.list, {
        roomId,
        paginationOpts: FIRST_PAGE,
      });
      await alice.mutation(api.messages.send, {
        roomId,
        body: 'gone soon',
        expiresInMs: 200,
      });
      const withIt = await seen.next((r) => r.page.length === 2);
      expect(withIt.page[0]).toMatchObject({
        body: 'gone soon',
        expiresAt: expect.any(Number) as number,
      });
      const afterExpiry = await seen.next(
        (r) => seen.values.indexOf(r) > seen.values.indexOf(withIt),
      );
      expect(lines(afterExpiry.page)).toEqual(['Alice: stays']);
    });

    test('/summarize is an action that reads the room and posts as the bot', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      const bob = clients.open();
      await signIn(alice, 'Alice');
      await signIn(bob, 'Bob');
      const roomId = await alice.mutation(api.rooms.create, {
        name: 'summary',
      });
      await alice.mutation(api.messages.send, {
        roomId,
        body: 'the release is tomorrow',
      });
      await bob.mutation(api.messages.send, {
        roomId,
        body: 'release notes are ready',
      });

      using bobSees = watchQuery(bob, api.messages.list, {
        roomId,
        paginationOpts: FIRST_PAGE,
      });
      const summary = await alice.action(api.bot.summarize, { roomId });
      expect(summary).toBe(
        '2 messages from Alice, Bob, about release, notes, ready.',
      );
      const latest = await bobSees.next((r) => r.page.length === 3);
      expect(latest.page[0]).toMatchObject({ author: 'bot', body: summary });
    });

    test('the site port serves a room as JSON and takes posts from a bearer token', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      await signIn(alice, 'Alice');
      await alice.mutation(api.rooms.create, { name: 'webhook' });
      const messages = new URL('/rooms/webhook/messages', server().siteUrl);
      // Without `connection: close`, the server's shutdown waits for fetch's
      // idle keep-alive socket to time out, seconds after the last test.
      const get = (url: URL | string) =>
        fetch(url, { headers: { connection: 'close' } });
      const post = (headers: Record<string, string>) =>
        fetch(messages, {
          method: 'POST',
          headers: {
            connection: 'close',
            'content-type': 'application/json',
            ...headers,
          },
          body: JSON.stringify({ body: 'deployed v2' }),
        });

      const anonymous = await post({});
      expect(anonymous.status).toBe(401);
      const signed = await post({
        authorization: `Bearer ${await devToken('CI')}`,
      });
      expect(signed.status).toBe(201);

      const listed = await get(`${messages.href}.json`);
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual([
        {
          sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
          author: 'CI',
          body: 'deployed v2',
          attachmentUrl: null,
        },
      ]);
      const missing = await get(
        new URL('/rooms/nowhere/messages.json', server().siteUrl),
      );
      expect(missing.status).toBe(404);
    });

    test('an attachment stored by an action is listed with its type, size and URL', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      const guest = clients.open();
      await signIn(alice, 'Alice');
      const roomId = await alice.mutation(api.rooms.create, { name: 'files' });
      const data = new TextEncoder().encode('a,b\n1,2\n').buffer;

      const messageId: Id<'messages'> = await alice.action(
        api.attachments.send,
        {
          roomId,
          body: 'the numbers',
          data,
          contentType: 'text/csv',
        },
      );
      await expect(
        guest.action(api.attachments.send, {
          roomId,
          body: 'mine too',
          data,
          contentType: 'text/csv',
        }),
      ).rejects.toThrow('Sign in to send messages.');

      const { page } = await alice.query(api.messages.list, {
        roomId,
        paginationOpts: FIRST_PAGE,
      });
      expect(page).toEqual([
        expect.objectContaining({
          _id: messageId,
          body: 'the numbers',
          attachment: {
            url: expect.stringMatching(
              new RegExp(`^${server().url}/api/storage/`),
            ) as string,
            contentType: 'text/csv',
            size: 8,
          },
        }),
      ]);
    });

    test('the example client prints the room live and sends what is typed', async () => {
      await using clients = convexClients(server().url);
      const alice = clients.open();
      await signIn(alice, 'Alice');
      const roomId = await alice.mutation(api.rooms.create, {
        name: 'example',
      });
      await alice.mutation(api.messages.send, {
        roomId,
        body: 'before you came',
      });
      using aliceSees = watchQuery(alice, api.messages.list, {
        roomId,
        paginationOpts: FIRST_PAGE,
      });
      using here = watchQuery(alice, api.presence.list, { roomId });

      await using ada = startExample(server().url, ['example', 'Ada']);
      await ada.printed('Alice: before you came');
      await here.next((users) => users.some((u) => u.name === 'Ada'));

      await alice.mutation(api.messages.send, { roomId, body: 'welcome Ada' });
      await ada.printed('Alice: welcome Ada');

      ada.type('hi Alice');
      const reply = await aliceSees.next((r) => r.page.length === 3);
      expect(lines(reply.page)[0]).toBe('Ada: hi Alice');

      // At the end of input Ada leaves the room and the example exits.
      const beforeAdaLeft = here.values.length;
      expect(await ada.end()).toBe(0);
      const afterAdaLeft = await here.next(
        (users) => here.values.indexOf(users) >= beforeAdaLeft,
      );
      expect(afterAdaLeft).toEqual([]);
    });
  });
}

interface ExampleProcess extends AsyncDisposable {
  /** Resolves once the example has printed `text`. */
  printed(text: string): Promise<void>;
  type(line: string): void;
  /** Ends its input; resolves with its exit code. */
  end(): Promise<number | null>;
}

/** examples/chat-client.ts, run as the README says, against the test server. */
function startExample(url: string, args: readonly string[]): ExampleProcess {
  const example = new URL('../../examples/chat-client.ts', import.meta.url);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', example.pathname, ...args],
    {
      env: {
        ...process.env,
        CONVEX_URL: url,
        CONVERGE_JWT_SECRET: SAMPLE_JWT_SECRET,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const outputGrew = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const wake of outputGrew) wake();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', resolve),
  );
  return {
    printed: (text) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!output.includes(text)) return;
          outputGrew.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          outputGrew.delete(check);
          reject(new Error(`the example did not print "${text}":\n${output}`));
        }, 10_000);
        outputGrew.add(check);
        check();
      }),
    type: (line) => child.stdin.write(`${line}\n`),
    end: () => {
      child.stdin.end();
      return exited;
    },
    [Symbol.asyncDispose]: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

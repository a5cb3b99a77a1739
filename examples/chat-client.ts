/**
 * A terminal client of the sample chat in functions/, on the official
 * `ConvexClient`: it signs a development token with CONVERGE_JWT_SECRET,
 * joins a room, prints the room's messages and who is here as they change,
 * and sends each line typed (`/summarize` asks the bot instead). It leaves
 * the room at the end of input (Ctrl-D) or on Ctrl-C.
 *
 *   CONVERGE_JWT_SECRET=dev npm start                             # one terminal
 *   CONVERGE_JWT_SECRET=dev npx tsx examples/chat-client.ts lobby Ada  # another
 *
 * CONVEX_URL points it at another server (default http://127.0.0.1:3210).
 */
import { createInterface } from 'node:readline';
import { ConvexClient } from 'convex/browser';
import { ConvexError } from 'convex/values';
import { SignJWT } from 'jose';
import { api } from '../functions/_generated/api.js';
import type { Doc } from '../functions/_generated/dataModel.js';

/** Well inside the server's 30 s presence timeout, so one lost beat is harmless. */
const HEARTBEAT_INTERVAL_MS = 10_000;
const HISTORY_SHOWN = 20;

const url = process.env['CONVEX_URL'] || 'http://127.0.0.1:3210';
const secret = process.env['CONVERGE_JWT_SECRET'];
const [room = 'lobby', name = 'Ada'] = process.argv.slice(2);
if (secret === undefined || secret === '') {
  console.error(
    'Set CONVERGE_JWT_SECRET to the secret the server was started with.',
  );
  process.exit(2);
}

/** A development token: HS256 with the server's secret, as `--jwt-secret` accepts. */
async function devToken(): Promise<string> {
  return await new SignJWT({ name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('converge-chat-example')
    .setSubject(name.toLowerCase())
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

type Message = Doc<'messages'> & { attachment: { url: string } | null };

function format({ _creationTime, author, body, attachment }: Message): string {
  const time = new Date(_creationTime).toTimeString().slice(0, 5);
  const file = attachment === null ? '' : ` [${attachment.url}]`;
  return `[${time}] ${author}: ${body}${file}`;
}

/** What a refused call says: a ConvexError's data is meant for the user. */
function reason(error: unknown): string {
  if (error instanceof ConvexError) return String(error.data);
  return error instanceof Error ? error.message : String(error);
}

const client = new ConvexClient(url);
const signedIn = await new Promise<boolean>((resolve) => {
  client.setAuth(devToken, resolve);
});
if (!signedIn) {
  console.error(
    `${url} refused the token: is its CONVERGE_JWT_SECRET this one?`,
  );
  await client.close();
  process.exit(1);
}

const roomId = await client
  .mutation(api.rooms.create, { name: room })
  .catch(async (error: unknown) => {
    console.error(`! ${reason(error)}`);
    await client.close();
    process.exit(1);
  });
console.log(`${name} in #${room} on ${url}. Type a message, or /summarize.`);

const heartbeat = (): void => {
  client.mutation(api.presence.heartbeat, { roomId }).catch((error) => {
    console.error(`! heartbeat: ${reason(error)}`);
  });
};
heartbeat();
const beating = setInterval(heartbeat, HEARTBEAT_INTERVAL_MS);

// The newest page, newest first: print what is new, oldest first.
const printed = new Set<string>();
const stopMessages = client.onUpdate(
  api.messages.list,
  { roomId, paginationOpts: { numItems: HISTORY_SHOWN, cursor: null } },
  ({ page }) => {
    for (const message of [...page].reverse()) {
      if (printed.has(message._id)) continue;
      printed.add(message._id);
      console.log(format(message));
    }
  },
);

let here = '';
const stopPresence = client.onUpdate(api.presence.list, { roomId }, (users) => {
  const names = users.map((user) => user.name).join(', ');
  if (names !== here) console.log(`-- here: ${names || 'nobody'}`);
  here = names;
});

const input = createInterface({ input: process.stdin });
input.on('SIGINT', () => input.close());
process.once('SIGINT', () => input.close());
for await (const line of input) {
  try {
    if (line.trim() === '/summarize') {
      await client.action(api.bot.summarize, { roomId });
    } else if (line.trim() !== '') {
      await client.mutation(api.messages.send, { roomId, body: line });
    }
  } catch (error) {
    console.error(`! ${reason(error)}`);
  }
}

clearInterval(beating);
stopMessages();
stopPresence();
await client.mutation(api.presence.leave, { roomId });
await client.close();

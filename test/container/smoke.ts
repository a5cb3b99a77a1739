/**
 * The container image's smoke test: `npm run test:container` builds the image,
 * starts it, and runs this with the container's address as `CONVEX_URL`. It
 * checks what a user of the image meets first: `/health` answers with the
 * native uWebSockets.js transport (the reason the image is glibc) and a
 * reachable store, `/version` answers, and the official client subscribes to
 * the sample chat and runs one of its mutations.
 *
 * Exits 0, or 1 with the step that failed; gives up after TIMEOUT_MS.
 */
import { ConvexClient } from 'convex/browser';
import { ConvexError } from 'convex/values';
import { api } from '../../functions/_generated/api.js';

/** Generous for a server that is already answering; a hang means a bug. */
const TIMEOUT_MS = 30_000;

const url = process.env['CONVEX_URL'];
if (url === undefined || url === '') {
  fail('CONVEX_URL is not set: run this through npm run test:container');
}

const steps: readonly (readonly [string, (base: string) => Promise<void>])[] = [
  ['GET /health', checkHealth],
  ['GET /version', checkVersion],
  ['the official client', checkClient],
];
let current = 'start';
const timer = setTimeout(
  () => fail(`${current}: no result within ${TIMEOUT_MS / 1000} s`),
  TIMEOUT_MS,
);
for (const [name, run] of steps) {
  current = name;
  try {
    await run(url);
  } catch (error) {
    fail(`${name}: ${describe(error)}`);
  }
}
clearTimeout(timer);
console.log('container smoke: ok');

async function checkHealth(base: string): Promise<void> {
  const response = await fetch(new URL('/health', base));
  const body: unknown = await response.json();
  if (!response.ok) {
    throw new Error(`${response.status} ${JSON.stringify(body)}`);
  }
  const transport =
    typeof body === 'object' && body !== null && 'transport' in body
      ? body.transport
      : undefined;
  if (transport !== 'native') {
    throw new Error(
      `expected the native uWebSockets.js transport, got ${JSON.stringify(body)}`,
    );
  }
  console.log(`container smoke: GET /health ${JSON.stringify(body)}`);
}

async function checkVersion(base: string): Promise<void> {
  const response = await fetch(new URL('/version', base));
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${text}`);
  console.log(`container smoke: GET /version ${text}`);
}

/**
 * The official client over the sync socket: a subscription gets its first
 * result, and a mutation runs and answers. Every write of the sample chat
 * needs a signed-in user, and the container is started with no JWT secret, so
 * the mutation is a signed-out one that the app refuses with its own error.
 */
async function checkClient(base: string): Promise<void> {
  const client = new ConvexClient(base);
  try {
    const rooms = await new Promise<unknown[]>((resolve, reject) => {
      const stop = client.onUpdate(
        api.rooms.list,
        {},
        (result) => {
          stop();
          resolve(result);
        },
        reject,
      );
    });
    console.log(
      `container smoke: subscribed to rooms:list, ${rooms.length} rooms`,
    );
    const refusal = await client
      .mutation(api.rooms.create, { name: 'smoke' })
      .then(
        () => new Error('rooms:create succeeded signed out'),
        (error: unknown) => error,
      );
    const expected = 'Sign in to create a room.';
    if (!(refusal instanceof ConvexError) || refusal.data !== expected) {
      throw new Error(
        `rooms:create signed out: expected ConvexError "${expected}", got ${describe(refusal)}`,
      );
    }
    console.log(`container smoke: rooms:create signed out: "${expected}"`);
  } finally {
    await client.close();
  }
}

/** An error's message with its cause, which is where fetch says what failed. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined
    ? error.message
    : `${error.message}: ${describe(error.cause)}`;
}

function fail(reason: string): never {
  console.error(`container smoke: FAILED: ${reason}`);
  process.exit(1);
}

/**
 * The container image's smoke test: `npm run test:container` builds the image,
 * starts it, and runs this with the container's address as `CONVEX_URL`. It
 * checks what a user of the image meets first: `/health` answers with the
 * native uWebSockets.js transport (the reason the image is glibc), `/version`
 * answers, and the official client subscribes to the sample chat, sends a
 * message and sees it arrive.
 *
 * Exits 0, or 1 with the step that failed; gives up after TIMEOUT_MS.
 */
import { randomUUID } from 'node:crypto';
import { ConvexClient } from 'convex/browser';
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
  ['subscribe, send, receive', checkSubscriptionSeesSend],
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

/** A subscriber of a fresh channel sees a message another client sends. */
async function checkSubscriptionSeesSend(base: string): Promise<void> {
  const channel = `smoke-${randomUUID()}`;
  const body = 'hello from the container smoke test';
  const subscriber = new ConvexClient(base);
  const sender = new ConvexClient(base);
  try {
    const arrived = new Promise<void>((resolve, reject) => {
      const stop = subscriber.onUpdate(
        api.messages.list,
        { channel },
        (messages) => {
          if (!messages.some((m) => m.body === body)) return;
          stop();
          resolve();
        },
        reject,
      );
    });
    await sender.mutation(api.messages.send, {
      channel,
      author: 'smoke',
      body,
    });
    await arrived;
    console.log(
      'container smoke: a sent message reached a subscriber of its channel',
    );
  } finally {
    await subscriber.close();
    await sender.close();
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

/**
 * The container image's smoke test: `npm run test:container` builds the image,
 * starts it, and runs this with the container's address as `CONVEX_URL`. It
 * checks what a user of the image meets first: `/health` answers with the
 * native uWebSockets.js transport (the reason the image is glibc) and a
 * reachable store, `/version` answers, the dashboard's page and script are
 * served (bundled in memory, the image's files being read-only), and the
 * official client subscribes to
 * the sample chat and sees its own mutations arrive.
 *
 * Exits 0, or 1 with the step that failed; gives up after TIMEOUT_MS.
 */
import { execFileSync } from 'node:child_process';
import { ConvexClient } from 'convex/browser';
import type {
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
} from 'convex/server';
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
  ['GET /dashboard', checkDashboard],
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

/** The dashboard: its page, and its script built from the image's dashboard/ folder. */
async function checkDashboard(base: string): Promise<void> {
  const page = await fetch(new URL('/dashboard', base));
  if (!page.ok || !(await page.text()).includes('/dashboard/app.js'))
    throw new Error(`the page answered ${page.status}`);
  const script = await fetch(new URL('/dashboard/app.js', base));
  const source = await script.text();
  if (!script.ok || !source.includes('_system/frontend/listTables'))
    throw new Error(
      `the script answered ${script.status}: ${source.slice(0, 200)}`,
    );
  console.log(`container smoke: GET /dashboard/app.js ${source.length} bytes`);
}

/**
 * The official client over the sync socket, as an operator first meets it:
 * signed out, the app refuses a write with its own error; signed in, a
 * subscription sees a room and a message appear as the mutations that make
 * them commit. The container is started with no JWT secret, so the client
 * signs in the way an operator can: with the admin key the image printed on
 * its first start, acting as a user.
 */
async function checkClient(base: string): Promise<void> {
  const client = new ConvexClient(base);
  try {
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

    const admin = client.client as unknown as AdminAuthClient;
    admin.setAdminAuth(adminKey(), {
      subject: 'smoke',
      issuer: 'https://smoke.converge.invalid',
      name: 'Smoke',
    });
    const name = `smoke-${Date.now().toString(36)}`;
    const rooms = watch(client, api.rooms.list, {});
    await rooms.next((list) => list.every((room) => room.name !== name));
    const roomId = await client.mutation(api.rooms.create, { name });
    await rooms.next((list) => list.some((room) => room._id === roomId));
    console.log(`container smoke: rooms:list saw room ${name} created`);

    const body = 'hello from the smoke test';
    const messages = watch(client, api.messages.list, {
      roomId,
      paginationOpts: { numItems: 10, cursor: null },
    });
    await messages.next(({ page }) => page.length === 0);
    await client.mutation(api.messages.send, { roomId, body });
    const { page } = await messages.next(({ page }) => page.length === 1);
    if (page[0]?.body !== body || page[0].author !== 'Smoke') {
      throw new Error(`messages:list shows ${JSON.stringify(page)}`);
    }
    console.log('container smoke: messages:list saw the message sent');
    rooms.stop();
    messages.stop();
  } finally {
    await client.close();
  }
}

/** `setAdminAuth` is internal to the client, so its type is not published. */
interface AdminAuthClient {
  setAdminAuth(key: string, actingAs?: Record<string, unknown>): void;
}

/**
 * The admin key: `CONVERGE_ADMIN_KEY` when set, else read from the banner in
 * the log of the container running the image (`--image`), which is where an
 * operator finds it (`docker logs`).
 */
function adminKey(): string {
  const given = process.env['CONVERGE_ADMIN_KEY'];
  if (given !== undefined && given !== '') return given;
  const image = imageArgument();
  // podman names an image built without a registry `localhost/<tag>`.
  const container = podman(['ps', '--format', '{{.Names}} {{.Image}}'])
    .split('\n')
    .map((line) => line.trim().split(' '))
    .find(([, of]) => of === image || of === `localhost/${image}`)?.[0];
  if (container === undefined) {
    throw new Error(`no running container of ${image}`);
  }
  const log = podman(['logs', container]);
  const key = /^\s*admin key\s+(\S+)/m.exec(log)?.[1];
  if (key === undefined) {
    throw new Error(`the log of ${container} shows no admin key`);
  }
  return key;
}

function imageArgument(): string {
  const at = process.argv.indexOf('--image');
  const image = at === -1 ? undefined : process.argv[at + 1];
  if (image === undefined) {
    throw new Error('pass --image TAG or set CONVERGE_ADMIN_KEY');
  }
  return image;
}

function podman(args: readonly string[]): string {
  return execFileSync('podman', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A subscription whose results are awaited one condition at a time. */
function watch<Query extends FunctionReference<'query'>>(
  client: ConvexClient,
  query: Query,
  args: FunctionArgs<Query>,
): {
  next(
    until: (value: FunctionReturnType<Query>) => boolean,
  ): Promise<FunctionReturnType<Query>>;
  stop(): void;
} {
  let latest: { value: FunctionReturnType<Query> } | undefined;
  let failure: Error | undefined;
  let wake = (): void => {};
  const stop = client.onUpdate(
    query,
    args,
    (value) => {
      latest = { value };
      wake();
    },
    (error) => {
      failure = error;
      wake();
    },
  );
  return {
    async next(until) {
      for (;;) {
        if (failure !== undefined) throw failure;
        if (latest !== undefined && until(latest.value)) return latest.value;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    stop,
  };
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

/**
 * Stored files on two Converge servers sharing one PostgreSQL database, as
 * two processes behind a load balancer: a file uploaded or stored through
 * one is read, served and deleted through the other, and an upload URL one
 * hands out is accepted by the other. The official client calls the
 * functions of test/apps/basic/files.ts; the bytes go over plain HTTP, as a
 * browser sends and fetches them. DATABASE_URL names the PostgreSQL server;
 * unreachable means failing, never skipping.
 *
 * A server answers at the last commit it has heard, and another server's
 * commit reaches it a moment after it is acknowledged (commit-feed.ts), so
 * each test waits for the other server to describe the file as expected
 * before going on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConvexHttpClient } from 'convex/browser';
import { type FunctionReturnType, makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { twoServers } from '../helpers/two-servers.ts';

const uploadUrl = makeFunctionReference<
  'mutation',
  Record<string, never>,
  string
>('files:uploadUrl');
const describeFile = makeFunctionReference<
  'query',
  { id: string },
  {
    url: string | null;
    metadata: { size: number; sha256: string; contentType: string } | null;
  }
>('files:describe');
const remove = makeFunctionReference<'mutation', { id: string }, null>(
  'files:remove',
);
const storeText = makeFunctionReference<'mutation', { text: string }, string>(
  'files:storeText',
);
const readText = makeFunctionReference<
  'mutation',
  { id: string },
  { text: string; type: string } | null
>('files:readText');

type Description = FunctionReturnType<typeof describeFile>;

/** How long the other server may take to hear a commit: its poll (1 s) several times over. */
const HEARD_WITHIN_MS = 10_000;

/** What `client`'s server describes of file `id` once it passes `check`. */
async function describedAs(
  client: ConvexHttpClient,
  id: string,
  check: (description: Description) => boolean,
): Promise<Description> {
  const deadline = Date.now() + HEARD_WITHIN_MS;
  for (;;) {
    // Until it hears of `_storage`, the server refuses the id as one of no table.
    const description = await client
      .query(describeFile, { id })
      .catch(() => null);
    if (description && check(description)) return description;
    if (Date.now() > deadline)
      throw new Error(`file ${id} never described as expected`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const stored = (description: Description) => description.metadata !== null;
const gone = (description: Description) => description.metadata === null;

/** POSTs `bytes` to an upload URL, as a browser does; the new storage id. */
async function upload(url: string, bytes: Uint8Array, contentType: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: bytes,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { storageId: string }).storageId;
}

test('a file uploaded through one server is described, served and deleted through the other', async () => {
  await using servers = await twoServers('basic');
  const { a, b } = servers;
  const onA = new ConvexHttpClient(a.url);
  const onB = new ConvexHttpClient(b.url);
  // Larger than one row of the PostgreSQL file storage (4 MiB).
  const bytes = randomBytes(5 * 1024 * 1024 + 3);

  const id = await upload(
    await onA.mutation(uploadUrl, {}),
    bytes,
    'image/png',
  );

  // Server B knows the file, and hands out a URL of its own for it.
  const onBoth = await describedAs(onB, id, stored);
  expect(onBoth.url).toBe(`${b.url}/api/storage/${id}`);
  expect(onBoth.metadata).toMatchObject({
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    contentType: 'image/png',
  });
  const served = await fetch(onBoth.url ?? '');
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toBe('image/png');
  expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);

  // Deleted through B, the file is gone on A as well.
  await onB.mutation(remove, { id });
  expect(await describedAs(onA, id, gone)).toMatchObject({ url: null });
  expect((await fetch(`${a.url}/api/storage/${id}`)).status).toBe(404);
}, 60_000);

test('a file a function stores through one server is what a function reads through the other', async () => {
  await using servers = await twoServers('basic');
  const onA = new ConvexHttpClient(servers.a.url);
  const onB = new ConvexHttpClient(servers.b.url);

  const id = await onA.mutation(storeText, { text: 'stored on a' });
  await describedAs(onB, id, stored);

  expect(await onB.mutation(readText, { id })).toEqual({
    text: 'stored on a',
    type: 'text/plain',
  });
}, 60_000);

test('an upload URL handed out by one server is accepted by the other, as a load balancer may send it there', async () => {
  await using servers = await twoServers('basic');
  const { a, b } = servers;
  const onA = new ConvexHttpClient(a.url);

  const fromA = new URL(await onA.mutation(uploadUrl, {}));
  const toB = new URL(`${fromA.pathname}${fromA.search}`, b.url);
  const id = await upload(
    toB.toString(),
    new TextEncoder().encode('posted to b'),
    'text/plain',
  );
  await describedAs(onA, id, stored);

  expect(await onA.mutation(readText, { id })).toEqual({
    text: 'posted to b',
    type: 'text/plain',
  });
}, 60_000);

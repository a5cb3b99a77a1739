/**
 * Signing in and out through the official client against a Converge server:
 * `setAuth` with a development HS256 token, `clearAuth`, a token the server
 * refuses, and an admin acting as a user. What the server decided is read
 * back through a query returning `ctx.auth.getUserIdentity()`.
 */
import type { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import type { GenericId } from 'convex/values';
import { SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  TEST_ADMIN_KEY,
  TEST_JWT_SECRET,
  startTestServer,
} from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';

type Identity = Record<string, unknown> & { tokenIdentifier: string };
const whoami = makeFunctionReference<
  'query',
  Record<string, never>,
  Identity | null
>('auth:whoami');
const add = makeFunctionReference<
  'mutation',
  { list: string; text: string },
  GenericId<'notes'>
>('notes:add');
const list = makeFunctionReference<
  'query',
  { list: string },
  { _id: string; author?: string }[]
>('notes:list');

const ISSUER = 'https://issuer.converge.test';

/** A development token: HS256, with the `iat` and `exp` the client needs to schedule refreshes. */
async function devToken(
  subject: string,
  secret: string = TEST_JWT_SECRET,
): Promise<string> {
  return await new SignJWT({ name: `User ${subject}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

/** Resolves with the first value `setAuth`'s `onChange` reports. */
function signIn(
  client: ConvexClient,
  fetchToken: () => Promise<string | null>,
): Promise<boolean> {
  return new Promise((resolve) => {
    client.setAuth(fetchToken, resolve);
  });
}

/** `setAdminAuth` is internal to the client, so its type is not published. */
interface AdminAuthClient {
  setAdminAuth(key: string, actingAs?: Record<string, unknown>): void;
}

describe('auth through the official client', () => {
  test('a valid token is confirmed, its identity reaches queries and mutations, and clearAuth signs out', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    // Signed out, the query sees nobody.
    using me = watchQuery(client, whoami, {});
    expect(await me.next()).toBeNull();

    const token = await devToken('ada');
    expect(await signIn(client, async () => token)).toBe(true);

    // The identity change reran the subscribed query.
    const identity = await me.next((value) => value !== null);
    expect(identity).toMatchObject({
      tokenIdentifier: `${ISSUER}|ada`,
      subject: 'ada',
      issuer: ISSUER,
      name: 'User ada',
    });
    const id = await client.mutation(add, { list: 'signed', text: 'mine' });
    expect(await client.query(list, { list: 'signed' })).toMatchObject([
      { _id: id, author: 'ada' },
    ]);

    // Signing out reruns it again, as nobody.
    client.client.clearAuth();
    expect(await me.delivered(3)).toEqual([null, identity, null]);
  });

  test('a token signed with the wrong secret is refused', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    using me = watchQuery(client, whoami, {});
    expect(await me.next()).toBeNull();

    const forged = await devToken('mallory', 'not the server secret');
    let fetched = 0;
    const confirmed = await signIn(client, async () => {
      fetched += 1;
      return forged;
    });
    // The client asked again after the AuthError, got the same token, and gave up.
    expect(confirmed).toBe(false);
    expect(fetched).toBeGreaterThanOrEqual(2);

    // The client is still usable, signed out.
    const id = await client.mutation(add, { list: 'forged', text: 'anon' });
    const notes = await client.query(list, { list: 'forged' });
    expect(notes).toEqual([expect.objectContaining({ _id: id })]);
    expect(notes[0]?.author).toBeUndefined();
    expect(me.values.every((value) => value === null)).toBe(true);
  });

  test('an admin acting as a user is that user to queries', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    using me = watchQuery(client, whoami, {});
    expect(await me.next()).toBeNull();

    const admin = client.client as unknown as AdminAuthClient;
    admin.setAdminAuth(TEST_ADMIN_KEY, {
      subject: 'grace',
      issuer: 'https://impersonated.converge.test',
      name: 'Grace',
    });
    expect(await me.next((value) => value !== null)).toMatchObject({
      tokenIdentifier: 'https://impersonated.converge.test|grace',
      subject: 'grace',
      name: 'Grace',
    });
  });
});

/**
 * test/apps/http-api through the official `ConvexHttpClient`, for every
 * route it calls (query, mutation, action, consistentQuery's query_ts and
 * query_at_ts, and the admin-only `function`): bigints both ways,
 * `ConvexError` data, argument validation, internal functions, identities.
 *
 * Every server that runs the app passes it: one serving the directory
 * (test/e2e/http-api.test.ts) and one the official CLI deployed it to
 * (test/e2e/cli-push-apps.test.ts).
 */
import { ConvexHttpClient } from 'convex/browser';
import {
  type FunctionReference,
  type FunctionType,
  makeFunctionReference,
} from 'convex/server';
import { ConvexError, type Value } from 'convex/values';
import { SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { TEST_ADMIN_KEY, TEST_JWT_SECRET } from './converge-server.ts';

/** A server running test/apps/http-api, with TEST_JWT_SECRET as its development secret. */
export interface HttpClientServer {
  url: string;
}

const get = makeFunctionReference<'query', { name: string }, bigint>(
  'counters:get',
);
const add = makeFunctionReference<
  'mutation',
  { name: string; by: bigint },
  bigint
>('counters:add');
const doubled = makeFunctionReference<'action', { name: string }, bigint>(
  'counters:doubled',
);
const peek = makeFunctionReference<'query', Record<string, never>, number>(
  'counters:peek',
);
const whoami = makeFunctionReference<
  'query',
  Record<string, never>,
  Record<string, unknown> | null
>('values:whoami');
const fails = makeFunctionReference<'query', Record<string, never>, null>(
  'values:fails',
);

const ISSUER = 'https://issuer.converge.test';

async function devToken(subject: string): Promise<string> {
  return await new SignJWT({ name: `User ${subject}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

/** `setAdminAuth` and `function` are internal to the client, so their types are not published. */
interface InternalMethods {
  setAdminAuth(key: string, actingAs?: Record<string, unknown>): void;
  function(
    fn: FunctionReference<FunctionType>,
    componentPath: string | undefined,
    args: Record<string, unknown>,
  ): Promise<unknown>;
}

function clientOf(url: string): ConvexHttpClient & InternalMethods {
  return new ConvexHttpClient(url, {
    logger: false,
  }) as ConvexHttpClient & InternalMethods;
}

/** What a rejected call threw. */
async function thrown(call: Promise<unknown>): Promise<Error> {
  const error: unknown = await call.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error('the call did not fail');
  return error;
}

/** The checks, against the server `server()` returns when they run. */
export function describeHttpClient(
  name: string,
  server: () => HttpClientServer,
): void {
  const client = () => clientOf(server().url);
  describe(name, () => {
    test('runs a mutation, a query and an action, bigints intact both ways', async () => {
      const http = client();
      expect(await http.query(get, { name: 'plain' })).toBe(0n);
      expect(await http.mutation(add, { name: 'plain', by: 2n ** 40n })).toBe(
        2n ** 40n,
      );
      expect(await http.query(get, { name: 'plain' })).toBe(2n ** 40n);
      expect(await http.action(doubled, { name: 'plain' })).toBe(2n ** 41n);
    });

    test('consistentQuery reads every query at the timestamp of its first one', async () => {
      const writer = client();
      const reader = client();
      await writer.mutation(add, { name: 'consistent', by: 1n });
      // The first consistent query fixes the reader's timestamp (query_ts)…
      expect(await reader.consistentQuery(get, { name: 'consistent' })).toBe(
        1n,
      );
      await writer.mutation(add, { name: 'consistent', by: 1n });
      // …so a later write is invisible to it (query_at_ts), and not to a plain query.
      expect(await reader.consistentQuery(get, { name: 'consistent' })).toBe(
        1n,
      );
      expect(await reader.query(get, { name: 'consistent' })).toBe(2n);
    });

    test('a ConvexError reaches the caller with its data, bigints included', async () => {
      const error = await thrown(
        client().mutation(add, { name: 'refused', by: -3n }),
      );
      expect(error).toBeInstanceOf(ConvexError);
      expect((error as ConvexError<Value>).data).toEqual({
        code: 'negative',
        by: -3n,
        limit: 0n,
      });
      // The refused mutation wrote nothing.
      expect(await client().query(get, { name: 'refused' })).toBe(0n);
    });

    test('a plain throw is an error with its message; bad arguments are refused before the handler runs', async () => {
      const plain = await thrown(client().query(fails, {}));
      expect(plain.message).toBe('Uncaught Error: this query always fails');

      const invalid = await thrown(
        client().mutation(
          makeFunctionReference<'mutation', { name: string; by: string }>(
            'counters:add',
          ),
          { name: 'x', by: 'three' },
        ),
      );
      expect(invalid.message).toMatch(/^ArgumentValidationError: /);
    });

    test('an unknown function, and an internal one called by a user, are not found; an admin may call the internal one', async () => {
      const unknown = await thrown(
        client().query(makeFunctionReference<'query'>('nowhere:nothing'), {}),
      );
      expect(unknown.message).toBe(
        "Could not find public function for 'nowhere:nothing'. Did you forget to run `npx convex dev` or `npx convex deploy`?",
      );

      const user = await thrown(client().query(peek, {}));
      expect(user.message).toMatch(
        /^Could not find public function for 'counters:peek'/,
      );

      const admin = client();
      admin.setAdminAuth(TEST_ADMIN_KEY);
      expect(await admin.query(peek, {})).toBeGreaterThan(0);
    });

    test('a Bearer JWT is the identity functions see; a token that does not verify is a 401', async () => {
      const http = client();
      http.setAuth(await devToken('ada'));
      expect(await http.query(whoami, {})).toMatchObject({
        issuer: ISSUER,
        subject: 'ada',
        tokenIdentifier: `${ISSUER}|ada`,
        name: 'User ada',
      });

      http.setAuth('not.a.jwt');
      const refused = await thrown(http.query(whoami, {}));
      expect(JSON.parse(refused.message)).toEqual({
        code: 'InvalidAuthHeader',
        message:
          'Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.',
      });
    });

    test('an admin acting as a user is that user, and may still call internal functions', async () => {
      const http = client();
      http.setAdminAuth(TEST_ADMIN_KEY, {
        issuer: ISSUER,
        subject: 'grace',
        name: 'Grace',
      });
      expect(await http.query(whoami, {})).toEqual({
        tokenIdentifier: `${ISSUER}|grace`,
        issuer: ISSUER,
        subject: 'grace',
        name: 'Grace',
      });
      expect(await http.query(peek, {})).toBeGreaterThan(0);
    });

    test('a wrong admin key is a 401', async () => {
      const http = client();
      http.setAdminAuth('converge|not-the-key');
      const refused = await thrown(http.query(get, { name: 'x' }));
      expect(JSON.parse(refused.message)).toEqual({
        code: 'BadAdminKey',
        message: 'The provided admin key was invalid for this instance',
      });
    });

    test('function() runs any kind of function for an admin, and is refused to anyone else', async () => {
      const admin = client();
      admin.setAdminAuth(TEST_ADMIN_KEY);
      expect(
        await admin.function(add, undefined, { name: 'any', by: 5n }),
      ).toBe(5n);
      expect(await admin.function(get, undefined, { name: 'any' })).toBe(5n);
      expect(await admin.function(doubled, undefined, { name: 'any' })).toBe(
        10n,
      );

      const user = client();
      user.setAuth(await devToken('eve'));
      const refused = await thrown(
        user.function(get, undefined, { name: 'any' }),
      );
      expect(JSON.parse(refused.message)).toMatchObject({
        code: 'BadDeployKey',
      });
    });
  });
}

/**
 * Security, who may call what: every kind of bad JWT is refused with the
 * client's `AuthError` over the socket and a 401 in Convex's error shape
 * over HTTP, and a good token still works after them; internal functions
 * and `_system` paths are out of reach without the admin key; the admin key
 * never reaches a log record, not even from failed admin calls.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConvexClient } from 'convex/browser';
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  TEST_ADMIN_KEY,
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';
import {
  type IdentityProvider,
  nowSeconds,
  startIdentityProvider,
  unsignedToken,
} from '../helpers/identity-provider.ts';
import { reportFigures } from './figures.ts';

type None = Record<string, never>;
const whoami = makeFunctionReference<'query', None, { subject: string } | null>(
  'identity:whoami',
);
const secret = makeFunctionReference<'query', None, string>('secrets:read');
const change = makeFunctionReference<'mutation', None, string>(
  'secrets:change',
);

/** `setAdminAuth` is internal to the clients, so its type is not published. */
interface AdminAuth {
  setAdminAuth(key: string): void;
}

let provider: IdentityProvider;
let server: TestServer;
let envDir: string;
beforeAll(async () => {
  provider = await startIdentityProvider();
  envDir = mkdtempSync(join(tmpdir(), 'converge-auth-env-'));
  writeFileSync(join(envDir, '.env'), `IDENTITY_ISSUER=${provider.issuer}\n`);
  server = await startTestServer('sandbox', { envFile: join(envDir, '.env') });
});
afterAll(async () => {
  await server.close();
  await provider[Symbol.asyncDispose]();
  rmSync(envDir, { recursive: true, force: true });
});

function signIn(client: ConvexClient, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    client.setAuth(async () => token, resolve);
  });
}

async function httpWhoami(token: string) {
  const response = await fetch(`${server.url}/api/query`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ path: 'identity:whoami', args: {}, format: 'json' }),
  });
  return { status: response.status, body: await response.json() };
}

/** Every token the server must refuse, by what is wrong with it. */
async function badTokens(): Promise<Record<string, string>> {
  const now = nowSeconds();
  const good = { iss: provider.issuer, aud: 'sandbox', sub: 'ada', iat: now };
  const custom = { ...good, iss: `${provider.issuer}/custom` };
  const valid = await provider.sign({ ...good, exp: now + 3600 });
  const [header, payload, signature] = valid.split('.') as [
    string,
    string,
    string,
  ];
  const forgedPayload = Buffer.from(
    JSON.stringify({ ...good, sub: 'mallory', exp: now + 3600 }),
  ).toString('base64url');
  const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
  const publicPem = createPublicKey({
    key: provider.jwks.keys[0] as unknown as Record<string, string>,
    format: 'jwk',
  }).export({ type: 'spki', format: 'pem' });
  const hsWithPublicKey = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'rs-1' })
      .sign(new TextEncoder().encode(String(publicPem)));
  return {
    'expired (OIDC)': await provider.sign({ ...good, exp: now - 3600 }),
    'expired (custom JWT)': await provider.sign({ ...custom, exp: now - 3600 }),
    'not yet valid (nbf in an hour)': await provider.sign({
      ...custom,
      nbf: now + 3600,
      exp: now + 7200,
    }),
    'wrong issuer': await provider.sign({
      ...good,
      iss: 'https://elsewhere.converge.test',
      exp: now + 3600,
    }),
    'wrong audience': await provider.sign({
      ...good,
      aud: 'another-app',
      exp: now + 3600,
    }),
    'alg none': unsignedToken({ ...good, exp: now + 3600 }, 'rs-1'),
    'alg none (custom JWT)': unsignedToken(
      { ...custom, exp: now + 3600 },
      'rs-1',
    ),
    'HS256 signed with the RS public key': await hsWithPublicKey({
      ...good,
      exp: now + 3600,
    }),
    'HS256 signed with the RS public key (custom JWT)': await hsWithPublicKey({
      ...custom,
      exp: now + 3600,
    }),
    'unknown kid': await provider.sign(
      { ...custom, exp: now + 3600 },
      { kid: 'no-such-key' },
    ),
    'signed by a key the JWKS lacks': await provider.sign(
      { ...good, exp: now + 3600 },
      { rogue: true },
    ),
    'tampered payload': `${header}.${forgedPayload}.${signature}`,
    'tampered signature': `${header}.${payload}.${flipped}`,
  };
}

describe('JWTs', () => {
  test('each bad token is an AuthError to the official client and a 401 over HTTP; a good one still works after them', async () => {
    const bad = await badTokens();
    await using clients = convexClients(server.url);
    const client = clients.open();
    const codes: Record<string, string> = {};
    for (const [what, token] of Object.entries(bad)) {
      expect(await signIn(client, token), what).toBe(false);
      expect(await client.query(whoami, {}), what).toBeNull();

      const { status, body } = await httpWhoami(token);
      expect(status, what).toBe(401);
      expect(body, what).toEqual({
        code: expect.any(String) as string,
        message: expect.any(String) as string,
      });
      codes[what] = (body as { code: string }).code;
    }

    const now = nowSeconds();
    const good = await provider.sign({
      iss: provider.issuer,
      aud: 'sandbox',
      sub: 'ada',
      iat: now,
      exp: now + 3600,
    });
    expect(await signIn(client, good)).toBe(true);
    expect(await client.query(whoami, {})).toMatchObject({ subject: 'ada' });
    expect(await httpWhoami(good)).toMatchObject({
      status: 200,
      body: { status: 'success', value: { subject: 'ada' } },
    });
    reportFigures('bad JWTs refused', {
      tokens: Object.keys(bad).length,
      codes: [...new Set(Object.values(codes))].sort().join(' '),
    });
  });
});

describe('internal functions, _system paths and the admin key', () => {
  test('internal functions and _system paths are unreachable without the admin key, over the socket and HTTP; reachable with it', async () => {
    await using clients = convexClients(server.url);
    const client = clients.open();
    await expect(client.query(secret, {})).rejects.toThrow(
      /Could not find public function for 'secrets:read'/,
    );
    await expect(client.mutation(change, {})).rejects.toThrow(
      /Could not find public function for 'secrets:change'/,
    );
    const http = new ConvexHttpClient(server.url, { logger: false });
    await expect(http.query(secret, {})).rejects.toThrow(
      /Could not find public function/,
    );
    for (const path of ['_system/frontend/listTables', '_system/cli/tables']) {
      const system = makeFunctionReference<'query', None, unknown>(path);
      await expect(client.query(system, {}), path).rejects.toThrow();
      await expect(http.query(system, {}), path).rejects.toThrow();
    }

    const adminClient = clients.open();
    (adminClient.client as unknown as AdminAuth).setAdminAuth(TEST_ADMIN_KEY);
    // Over the socket an admin reaches internal functions only where the
    // sync layer lets it: recorded, not asserted (see the report).
    const overSocket = await adminClient.query(secret, {}).then(
      () => 'reachable',
      () => 'refused',
    );
    const adminHttp = new ConvexHttpClient(server.url, { logger: false });
    (adminHttp as unknown as AdminAuth).setAdminAuth(TEST_ADMIN_KEY);
    expect(await adminHttp.query(secret, {})).toBe('the secret');
    expect(await adminHttp.mutation(change, {})).toBe('changed');
    reportFigures('internal functions with the admin key', {
      http: 'reachable',
      socket: overSocket,
    });
  });

  test('no log record holds the admin key, not even from failed admin calls', async () => {
    const near = `${TEST_ADMIN_KEY.slice(0, -1)}X`;
    const longer = `${TEST_ADMIN_KEY}-and-more`;
    for (const key of [TEST_ADMIN_KEY, near, longer]) {
      const http = new ConvexHttpClient(server.url, { logger: false });
      (http as unknown as AdminAuth).setAdminAuth(key);
      await http.query(secret, {}).catch(() => undefined);
      await fetch(
        `${server.url}/api/query?adminKey=${encodeURIComponent(key)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ path: 'secrets:read', args: {} }),
        },
      );
    }
    await using clients = convexClients(server.url);
    const wrong = clients.open();
    (wrong.client as unknown as AdminAuth).setAdminAuth(near);
    await wrong.query(whoami, {}).catch(() => undefined);

    const logs = server.logs.join('\n');
    expect(server.logs.length).toBeGreaterThan(0);
    const secretPart = TEST_ADMIN_KEY.split('|')[1] ?? TEST_ADMIN_KEY;
    expect(logs).not.toContain(secretPart);
    expect(logs).not.toContain(encodeURIComponent(TEST_ADMIN_KEY));
    reportFigures('admin key in logs', {
      records: server.logs.length,
      holdingTheKey: server.logs.filter((l) => l.includes(secretPart)).length,
    });
  });
});

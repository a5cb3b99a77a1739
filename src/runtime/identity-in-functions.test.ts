/**
 * From token to function: test/apps/auth declares its provider in
 * auth.config.ts (keys as a data: URI from its environment); the loader
 * evaluates it, the verifier checks a client's token against it, and the
 * identity it returns is what `ctx.auth.getUserIdentity()` gives the
 * `whoami` query.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { expect, test } from 'vitest';
import { openSqliteStore } from '../store/sqlite.ts';
import { parseAuthConfig } from './auth-config.ts';
import { FunctionRunner } from './function-runner.ts';
import { IdentityVerifier } from './identity-verifier.ts';
import { loadFunctions } from './load-functions.ts';

const app = new URL('../../test/apps/auth/', import.meta.url).pathname;

test('a verified token’s identity is what whoami sees; without one it sees null', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] };
  const env = {
    AUTH_JWKS: `data:application/json;base64,${Buffer.from(JSON.stringify(jwks)).toString('base64')}`,
  };

  const loaded = await loadFunctions(app, { env });
  if (!loaded.success) throw new Error(loaded.error);
  // The loader hands over auth.config.ts's default export as it evaluated it.
  expect(loaded.loaded.authConfig).toMatchObject({
    providers: [{ type: 'customJwt', jwks: env.AUTH_JWKS }],
  });
  const config = parseAuthConfig(loaded.loaded.authConfig);
  if (!config.success) throw new Error(config.error);

  const exp = Math.floor(Date.now() / 1000) + 600;
  const token = await new SignJWT({
    email: 'ada@example.com',
    org: { id: 'org_1', role: 'owner' },
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer('https://auth.converge.test')
    .setAudience('converge-tests')
    .setSubject('user_1')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(privateKey);
  const verified = await new IdentityVerifier(config.providers).verify(token);
  if (!verified.success) throw new Error(verified.error.message);
  expect(verified.expiresAtMs).toBe(exp * 1000);

  const dir = await mkdtemp(join(tmpdir(), 'converge-auth-'));
  const store = await openSqliteStore(join(dir, 'store.sqlite'));
  try {
    const runner = new FunctionRunner(loaded.loaded, store);
    expect(
      await runner.runQuery(
        'whoami:default',
        {},
        { identity: verified.identity, fromClient: true },
      ),
    ).toMatchObject({
      success: true,
      value: {
        tokenIdentifier: 'https://auth.converge.test|user_1',
        issuer: 'https://auth.converge.test',
        subject: 'user_1',
        email: 'ada@example.com',
        'org.id': 'org_1',
        'org.role': 'owner',
      },
    });
    expect(
      await runner.runQuery('whoami:default', {}, { fromClient: true }),
    ).toMatchObject({ success: true, value: null });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

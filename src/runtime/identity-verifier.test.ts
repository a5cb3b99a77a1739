/**
 * IdentityVerifier against a real (local) identity provider: discovery and
 * JWKS over HTTP on port 0, keys from jose's generateKeyPair. Each test says
 * which token a client presents and what the verifier answers: the identity
 * and its expiry, or the error a Convex backend would send in AuthError.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { expect, test } from 'vitest';
import {
  nowSeconds,
  startIdentityProvider,
  unreachableUrl,
  unsignedToken,
} from '../../test/helpers/identity-provider.ts';
import { type AuthProvider, parseAuthConfig } from './auth-config.ts';
import { IdentityVerifier } from './identity-verifier.ts';

const APP = 'converge-app';

function providers(...entries: unknown[]): AuthProvider[] {
  const parsed = parseAuthConfig({ providers: entries });
  if (!parsed.success) throw new Error(parsed.error);
  return parsed.providers;
}

const oidcUnverified =
  "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.";

test('a good RS256 ID token from an OIDC provider: its full identity, and when it expires', async () => {
  await using idp = await startIdentityProvider();
  const verifier = new IdentityVerifier(
    providers({ domain: idp.issuer, applicationID: APP }),
  );
  const exp = nowSeconds() + 3600;
  const token = await idp.sign({
    iss: idp.issuer,
    aud: APP,
    sub: 'user|42',
    iat: nowSeconds(),
    exp,
    nonce: 'n-0',
    azp: APP,
    jti: 'changes-every-refresh',
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    nickname: 'ada',
    preferred_username: 'ada.l',
    profile: 'https://example.com/ada',
    picture: 'https://example.com/ada.png',
    website: 'https://ada.example.com',
    email: 'ada@example.com',
    email_verified: true,
    gender: 'female',
    birthdate: '1815-12-10',
    zoneinfo: 'Europe/London',
    locale: 'en-GB',
    phone_number: '+44 20 0000 0000',
    phone_number_verified: false,
    address: { formatted: '12 St James Square, London', country: 'UK' },
    updated_at: 1_700_000_000,
    org: { id: 7, role: 'admin' },
    roles: ['reader', 'writer'],
  });

  expect(await verifier.verify(token)).toEqual({
    success: true,
    expiresAtMs: exp * 1000,
    identity: {
      tokenIdentifier: `${idp.issuer}|user|42`,
      issuer: idp.issuer,
      subject: 'user|42',
      name: 'Ada Lovelace',
      givenName: 'Ada',
      familyName: 'Lovelace',
      nickname: 'ada',
      preferredUsername: 'ada.l',
      profileUrl: 'https://example.com/ada',
      pictureUrl: 'https://example.com/ada.png',
      websiteUrl: 'https://ada.example.com',
      email: 'ada@example.com',
      emailVerified: true,
      gender: 'female',
      birthday: '1815-12-10',
      timezone: 'Europe/London',
      language: 'en-GB',
      phoneNumber: '+44 20 0000 0000',
      phoneNumberVerified: false,
      address: '12 St James Square, London',
      updatedAt: '2023-11-14T22:13:20+00:00',
      // An OIDC token's other claims keep their JSON values, nested or not.
      org: { id: 7, role: 'admin' },
      roles: ['reader', 'writer'],
    },
  });
});

test('discovery and the JWKS are fetched once for many tokens', async () => {
  await using idp = await startIdentityProvider();
  const verifier = new IdentityVerifier(
    providers({ domain: idp.issuer, applicationID: APP }),
  );
  for (const sub of ['a', 'b', 'c']) {
    const token = await idp.sign({
      iss: idp.issuer,
      aud: APP,
      sub,
      iat: nowSeconds(),
      exp: nowSeconds() + 60,
    });
    expect(await verifier.verify(token)).toMatchObject({ success: true });
  }
  expect(idp.requests).toEqual([
    '/.well-known/openid-configuration',
    '/jwks.json',
  ]);
});

test('an ES256 token from a customJwt provider: custom claims flattened, no standard claim mapped', async () => {
  await using idp = await startIdentityProvider();
  const verifier = new IdentityVerifier(
    providers({
      type: 'customJwt',
      issuer: idp.issuer,
      jwks: idp.jwksUrl,
      algorithm: 'ES256',
      applicationID: APP,
    }),
  );
  const exp = nowSeconds() + 60;
  const token = await idp.sign(
    {
      iss: idp.issuer,
      aud: [APP, 'another-app'],
      sub: 'user:8fa2',
      exp,
      properties: { id: '123', favoriteColor: 'red', nested: { level: 2 } },
      given_name: 'Ada',
      fva: [0, -1],
    },
    { alg: 'ES256' },
  );
  expect(await verifier.verify(token)).toEqual({
    success: true,
    expiresAtMs: exp * 1000,
    identity: {
      tokenIdentifier: `${idp.issuer}|user:8fa2`,
      issuer: idp.issuer,
      subject: 'user:8fa2',
      'properties.id': '123',
      'properties.favoriteColor': 'red',
      'properties.nested.level': 2,
      given_name: 'Ada',
    },
  });
});

test('an expired token is refused: to the second for OIDC, with 5 s of leeway for a custom JWT', async () => {
  await using idp = await startIdentityProvider();
  const now = nowSeconds();
  const verifier = new IdentityVerifier(
    providers(
      { domain: idp.issuer, applicationID: APP },
      {
        type: 'customJwt',
        issuer: 'https://custom.example.com',
        jwks: idp.jwksUrl,
        algorithm: 'RS256',
      },
    ),
    { now: () => now * 1000 },
  );
  const oidc = await idp.sign({
    iss: idp.issuer,
    aud: APP,
    sub: 'u',
    iat: now - 60,
    exp: now,
  });
  expect(await verifier.verify(oidc)).toEqual({
    success: false,
    error: { code: 'Unauthenticated', message: oidcUnverified },
  });

  const custom = (exp: number) =>
    idp.sign({ iss: 'https://custom.example.com', sub: 'u', exp });
  expect(await verifier.verify(await custom(now - 5))).toMatchObject({
    success: true,
    expiresAtMs: (now - 5) * 1000,
  });
  expect(await verifier.verify(await custom(now - 30))).toEqual({
    success: false,
    error: {
      code: 'InvalidAuthHeader',
      message: 'Could not validate token: Token expired 30 seconds ago',
    },
  });
});

test('a token for another audience or from another issuer matches no provider', async () => {
  await using idp = await startIdentityProvider();
  const verifier = new IdentityVerifier(
    providers(
      { domain: idp.issuer, applicationID: APP },
      {
        type: 'customJwt',
        issuer: 'auth.example.com',
        jwks: idp.jwksUrl,
        algorithm: 'ES256',
      },
    ),
  );
  const noProvider = {
    success: false,
    error: {
      code: 'NoAuthProvider',
      message: `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=${idp.issuer}, app_id=${APP}), CustomJWT(issuer=https://auth.example.com, app_id=none)]`,
    },
  };
  const claims = { sub: 'u', iat: nowSeconds(), exp: nowSeconds() + 60 };
  const otherAudience = await idp.sign({
    ...claims,
    iss: idp.issuer,
    aud: 'someone-else',
  });
  const otherIssuer = await idp.sign({
    ...claims,
    iss: 'https://evil.example.com',
    aud: APP,
  });
  expect(await verifier.verify(otherAudience)).toEqual(noProvider);
  expect(await verifier.verify(otherIssuer)).toEqual(noProvider);

  expect(await new IdentityVerifier([]).verify(otherIssuer)).toMatchObject({
    error: {
      message:
        'No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.',
    },
  });
});

test('a token signed by a key the JWKS does not have is refused', async () => {
  await using idp = await startIdentityProvider();
  const verifier = new IdentityVerifier(
    providers(
      { domain: idp.issuer, applicationID: APP },
      {
        type: 'customJwt',
        issuer: 'https://custom.example.com',
        jwks: idp.jwksUrl,
        algorithm: 'ES256',
      },
    ),
  );
  const claims = { sub: 'u', iat: nowSeconds(), exp: nowSeconds() + 60 };
  const forgedOidc = await idp.sign(
    { ...claims, iss: idp.issuer, aud: APP },
    { rogue: true },
  );
  expect(await verifier.verify(forgedOidc)).toEqual({
    success: false,
    error: { code: 'Unauthenticated', message: oidcUnverified },
  });

  const forgedCustom = await idp.sign(
    { ...claims, iss: 'https://custom.example.com' },
    { alg: 'ES256', rogue: true },
  );
  expect(await verifier.verify(forgedCustom)).toEqual({
    success: false,
    error: {
      code: 'InvalidAuthHeader',
      message:
        "Could not decode token. The JWT's 'kid' (key ID) header is 'es-1', does this key match any key in the provider's JWKS?",
    },
  });
  const withoutKid = await idp.sign(
    { ...claims, iss: 'https://custom.example.com' },
    { alg: 'ES256', kid: null },
  );
  expect(await verifier.verify(withoutKid)).toMatchObject({
    error: {
      message:
        "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
    },
  });
});

test('an unsigned token (alg: none) is refused by every kind of provider', async () => {
  await using idp = await startIdentityProvider();
  const verifier = new IdentityVerifier(
    providers(
      { domain: idp.issuer, applicationID: APP },
      {
        type: 'customJwt',
        issuer: 'https://custom.example.com',
        jwks: idp.jwksUrl,
        algorithm: 'RS256',
      },
    ),
    { jwtSecret: 'dev-secret' },
  );
  const claims = { sub: 'admin', iat: nowSeconds(), exp: nowSeconds() + 60 };
  expect(
    await verifier.verify(
      unsignedToken({ ...claims, iss: idp.issuer, aud: APP }, 'rs-1'),
    ),
  ).toEqual({
    success: false,
    error: { code: 'Unauthenticated', message: oidcUnverified },
  });
  expect(
    await verifier.verify(
      unsignedToken({ ...claims, iss: 'https://custom.example.com' }, 'rs-1'),
    ),
  ).toEqual({
    success: false,
    error: {
      code: 'InvalidAuthHeader',
      message:
        "Could not decode token. The JWT's 'kid' (key ID) header is 'rs-1', does this key match any key in the provider's JWKS?",
    },
  });
});

test('a provider whose discovery is unreachable: an error value, and a retry on the next token', async () => {
  const down = await unreachableUrl();
  const verifier = new IdentityVerifier(
    providers({ domain: down, applicationID: APP }),
  );
  const token = unsignedToken({
    iss: down,
    aud: APP,
    sub: 'u',
    iat: nowSeconds(),
    exp: nowSeconds() + 60,
  });
  const failure = {
    success: false,
    error: {
      code: 'AuthProviderDiscoveryFailed',
      message: `Auth provider discovery of ${down} failed`,
    },
  };
  expect(await verifier.verify(token)).toEqual(failure);
  expect(await verifier.verify(token)).toEqual(failure);
});

test('a customJwt JWKS URL must answer 200 with a JSON content type', async () => {
  await using idp = await startIdentityProvider();
  const verifier = new IdentityVerifier(
    providers({
      type: 'customJwt',
      issuer: idp.issuer,
      jwks: idp.jwksUrl,
      algorithm: 'RS256',
    }),
  );
  const token = await idp.sign({
    iss: idp.issuer,
    sub: 'u',
    exp: nowSeconds() + 60,
  });
  idp.jwksResponse.contentType = 'text/html';
  expect(await verifier.verify(token)).toMatchObject({
    error: {
      message: `Invalid Content-Type 'text/html' when fetching JWKS from '${idp.jwksUrl}'. Expected 'application/json' or 'application/jwk-set+json'.`,
    },
  });
  idp.jwksResponse.status = 404;
  expect(await verifier.verify(token)).toMatchObject({
    error: {
      message: `Could not fetch JWKS from URL '${idp.jwksUrl}': HTTP 404 Not Found. Check that the URL is correct and accessible.`,
    },
  });
  Object.assign(idp.jwksResponse, {
    status: 200,
    contentType: 'application/jwk-set+json; charset=utf-8',
  });
  expect(await verifier.verify(token)).toMatchObject({ success: true });
});

test('offline keys: a data: URI, a file: URL and an absolute path all work without a network', async () => {
  await using idp = await startIdentityProvider();
  const dir = await mkdtemp(join(tmpdir(), 'converge-jwks-'));
  try {
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(idp.jwks));
    const dataUri = `data:text/plain;charset=utf-8;base64,${Buffer.from(JSON.stringify(idp.jwks)).toString('base64')}`;
    for (const jwks of [dataUri, pathToFileURL(file).href, file]) {
      const verifier = new IdentityVerifier(
        providers({
          type: 'customJwt',
          issuer: 'https://offline.example.com',
          jwks,
          algorithm: 'ES256',
        }),
      );
      const token = await idp.sign(
        {
          iss: 'https://offline.example.com',
          sub: 'u',
          exp: nowSeconds() + 60,
        },
        { alg: 'ES256' },
      );
      expect(await verifier.verify(token)).toMatchObject({
        success: true,
        identity: { tokenIdentifier: 'https://offline.example.com|u' },
      });
    }
    expect(idp.requests).toEqual([]);

    const missing = new IdentityVerifier(
      providers({
        type: 'customJwt',
        issuer: 'https://offline.example.com',
        jwks: join(dir, 'gone.json'),
        algorithm: 'ES256',
      }),
    );
    const token = await idp.sign(
      { iss: 'https://offline.example.com', sub: 'u', exp: nowSeconds() + 60 },
      { alg: 'ES256' },
    );
    const gone = join(dir, 'gone.json');
    expect(await missing.verify(token)).toEqual({
      success: false,
      error: {
        code: 'InvalidAuthHeader',
        message: `Could not read the JWKS file '${gone}': ENOENT: no such file or directory, open '${gone}'`,
      },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the development secret: an HS256 token with iss and sub is accepted with it, refused without it', async () => {
  const secret = new TextEncoder().encode('dev-secret');
  const token = await new SignJWT({ name: 'Dev' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('http://localhost:3000')
    .setSubject('dev-user')
    .sign(secret);

  const withSecret = new IdentityVerifier([], { jwtSecret: 'dev-secret' });
  expect(await withSecret.verify(token)).toEqual({
    success: true,
    expiresAtMs: null,
    identity: {
      tokenIdentifier: 'http://localhost:3000|dev-user',
      issuer: 'http://localhost:3000',
      subject: 'dev-user',
      name: 'Dev',
    },
  });
  expect(await new IdentityVerifier([]).verify(token)).toMatchObject({
    success: false,
    error: { code: 'NoAuthProvider' },
  });
  expect(
    await new IdentityVerifier([], { jwtSecret: 'another' }).verify(token),
  ).toEqual({
    success: false,
    error: {
      code: 'InvalidAuthHeader',
      message:
        'Could not verify the HS256 token with the development JWT secret (--jwt-secret / CONVERGE_JWT_SECRET). Check that the token was signed with it.',
    },
  });
  const exp = nowSeconds() + 60;
  const expiring = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('http://localhost:3000')
    .setSubject('dev-user')
    .setExpirationTime(exp)
    .sign(secret);
  expect(await withSecret.verify(expiring)).toMatchObject({
    success: true,
    expiresAtMs: exp * 1000,
  });
});

test('a token that is not a JWT, or has no issuer, is refused before any provider is asked', async () => {
  const verifier = new IdentityVerifier([]);
  expect(await verifier.verify('not-a-jwt')).toEqual({
    success: false,
    error: {
      code: 'InvalidAuthHeader',
      message:
        'Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.',
    },
  });
  expect(await verifier.verify(unsignedToken({ sub: 'u' }))).toMatchObject({
    error: {
      message:
        "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
    },
  });
});

/**
 * auth.config.ts as the loader hands it over (its default export, unknown):
 * which providers it declares, normalised as Convex normalises them, and
 * what a developer reads when it is wrong.
 */
import { expect, test } from 'vitest';
import { parseAuthConfig, providerMatchesToken } from './auth-config.ts';

test('an OIDC provider and a customJwt provider, each as Convex reads it', () => {
  expect(
    parseAuthConfig({
      providers: [
        { domain: 'clerk.example.com', applicationID: 'convex' },
        {
          type: 'customJwt',
          issuer: 'http://localhost:3211/',
          jwks: 'https://localhost:3211/.well-known/jwks.json',
          algorithm: 'RS256',
        },
      ],
    }),
  ).toEqual({
    success: true,
    providers: [
      // No scheme: https, as on Convex.
      {
        type: 'oidc',
        domain: 'https://clerk.example.com',
        applicationID: 'convex',
      },
      {
        type: 'customJwt',
        issuer: 'http://localhost:3211/',
        jwks: {
          kind: 'url',
          url: 'https://localhost:3211/.well-known/jwks.json',
        },
        algorithm: 'RS256',
        applicationID: null,
      },
    ],
  });
});

test('a directory without auth.config.ts has no providers', () => {
  expect(parseAuthConfig(null)).toEqual({ success: true, providers: [] });
});

test('a customJwt JWKS may be a data: URI, a file: URL or an absolute path', () => {
  const jwksOf = (jwks: string) => {
    const parsed = parseAuthConfig({
      providers: [
        {
          type: 'customJwt',
          issuer: 'https://a.dev',
          jwks,
          algorithm: 'ES256',
        },
      ],
    });
    return parsed.success ? parsed.providers[0] : parsed.error;
  };
  expect(jwksOf('data:text/plain;base64,e30=')).toMatchObject({
    jwks: { kind: 'data', uri: 'data:text/plain;base64,e30=' },
  });
  expect(jwksOf('file:///etc/converge/jwks.json')).toMatchObject({
    jwks: { kind: 'file', path: '/etc/converge/jwks.json' },
  });
  expect(jwksOf('/etc/converge/jwks.json')).toMatchObject({
    jwks: { kind: 'file', path: '/etc/converge/jwks.json' },
  });
  expect(jwksOf('keys/jwks.json')).toBe(
    'auth.config.ts: providers[0]: "jwks" must be an http(s) URL, a data: URI, a file: URL or an absolute path, got "keys/jwks.json"',
  );
});

test('mistakes are reported with the provider they are in', () => {
  const error = (config: unknown) => {
    const parsed = parseAuthConfig(config);
    return parsed.success ? null : parsed.error;
  };
  expect(error({ providers: 'none' })).toBe(
    'auth.config.ts: the default export must be an object with a "providers" array',
  );
  expect(error({ providers: [{ domain: 'https://a.dev' }] })).toBe(
    'auth.config.ts: providers[0]: an OIDC provider needs "applicationID", a string',
  );
  expect(
    error({ providers: [{ domain: 'ftp://a.dev', applicationID: 'x' }] }),
  ).toBe(
    'auth.config.ts: providers[0]: Invalid provider domain URL "ftp://a.dev": must use HTTPS',
  );
  expect(
    error({ providers: [{ domain: 'sk_live_123abc', applicationID: 'x' }] }),
  ).toBe(
    'auth.config.ts: providers[0]: Invalid provider domain URL "sk_live_123abc": Does not look like a URL (must have a scheme or end with a top-level domain)',
  );
  expect(
    error({
      providers: [
        { domain: 'https://a.dev', applicationID: 'x' },
        {
          type: 'customJwt',
          issuer: 'https://a.dev',
          jwks: 'https://a.dev/jwks',
          algorithm: 'HS256',
        },
      ],
    }),
  ).toBe(
    'auth.config.ts: providers[1]: Invalid signature algorithm (only RS256 and ES256 are supported): "HS256"',
  );
  expect(
    error({ providers: [{ type: 'oidc', domain: 'https://a.dev' }] }),
  ).toMatch(/unknown provider type "oidc"/);
});

test('a token matches a provider by issuer, up to trailing slashes and a missing scheme, and by audience', () => {
  const parsed = parseAuthConfig({
    providers: [
      { domain: 'https://tenant.auth0.com', applicationID: 'app' },
      {
        type: 'customJwt',
        issuer: 'https://privy.io',
        jwks: 'https://privy.io/jwks.json',
        algorithm: 'ES256',
      },
    ],
  });
  if (!parsed.success) throw new Error(parsed.error);
  const [oidc, custom] = parsed.providers;
  if (!oidc || !custom) throw new Error('two providers expected');
  expect(providerMatchesToken(oidc, ['app'], 'https://tenant.auth0.com/')).toBe(
    true,
  );
  expect(
    providerMatchesToken(oidc, ['other'], 'https://tenant.auth0.com'),
  ).toBe(false);
  expect(providerMatchesToken(oidc, [], 'https://tenant.auth0.com')).toBe(
    false,
  );
  // Without an applicationID, any audience (or none) will do.
  expect(providerMatchesToken(custom, [], 'privy.io')).toBe(true);
  expect(providerMatchesToken(custom, [], 'http://privy.io')).toBe(false);
});

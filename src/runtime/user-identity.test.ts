/**
 * Verified claims → the UserIdentity a function sees, the way the Convex
 * backend builds it; and an admin's impersonation attributes → the same
 * shape.
 */
import { expect, test } from 'vitest';
import {
  customJwtIdentity,
  impersonatedIdentity,
  oidcIdentity,
} from './user-identity.ts';

test('an OIDC token: standard claims renamed, ID-token and per-refresh claims dropped, the rest kept whole', () => {
  expect(
    oidcIdentity({
      iss: 'https://tenant.auth0.com/',
      sub: 'google-oauth2|1',
      aud: 'app',
      iat: 1,
      exp: 2,
      auth_time: 1,
      nonce: 'n',
      azp: 'app',
      jti: 'j',
      nbf: 1,
      fva: [3, -1],
      picture: 'https://cdn.example.com/a.png',
      email_verified: 'true',
      address: { street_address: 'no formatted form' },
      updated_at: 1_700_000_000.25,
      middle_name: 'Augusta',
      'https://example.com/roles': ['admin'],
      org: { id: 1 },
    }),
  ).toEqual({
    success: true,
    identity: {
      tokenIdentifier: 'https://tenant.auth0.com/|google-oauth2|1',
      issuer: 'https://tenant.auth0.com/',
      subject: 'google-oauth2|1',
      pictureUrl: 'https://cdn.example.com/a.png',
      emailVerified: true,
      updatedAt: '2023-11-14T22:13:20.250+00:00',
      // openidconnect knows middle_name, Convex does not surface it: a custom claim.
      middle_name: 'Augusta',
      'https://example.com/roles': ['admin'],
      org: { id: 1 },
    },
  });
});

test('an OIDC token whose standard claim has the wrong type is not an ID token', () => {
  expect(oidcIdentity({ iss: 'i', sub: 's', email: 5 })).toEqual({
    success: false,
    error: 'the standard claim "email" has the wrong type',
  });
});

test('a custom JWT: nested claims flattened to dotted keys, arrays and numbers kept, registered claims dropped', () => {
  expect(
    customJwtIdentity({
      iss: 'http://localhost:3000',
      sub: 'user:8fa2be73c2229e85',
      aud: 'app',
      exp: 1750968478,
      iat: 1,
      nbf: 1,
      jti: 'j',
      properties: { id: '123', favoriteColor: 'red', flags: { beta: true } },
      scopes: ['read'],
      email: 'a@example.com',
      fva: [1, 2],
      count: 3,
      nothing: null,
    }),
  ).toEqual({
    tokenIdentifier: 'http://localhost:3000|user:8fa2be73c2229e85',
    issuer: 'http://localhost:3000',
    subject: 'user:8fa2be73c2229e85',
    // Not mapped from a custom JWT, but a claim named like a field fills it.
    email: 'a@example.com',
    'properties.id': '123',
    'properties.favoriteColor': 'red',
    'properties.flags.beta': true,
    scopes: ['read'],
    count: 3,
    nothing: null,
  });
});

test('a claim never replaces tokenIdentifier, issuer or subject, and __proto__ stays a claim', () => {
  const identity = customJwtIdentity(
    JSON.parse(
      '{"iss":"https://a.dev","sub":"me","subject":"someone-else","tokenIdentifier":"x|y","__proto__":{"polluted":true}}',
    ) as { iss: string; sub: string },
  );
  expect(identity.tokenIdentifier).toBe('https://a.dev|me');
  expect(identity.subject).toBe('me');
  expect(Object.getPrototypeOf(identity)).toBe(Object.prototype);
  expect(Object.keys(identity)).toContain('__proto__.polluted');
});

test('an impersonated identity: tokenIdentifier made from issuer and subject, custom claims kept as given', () => {
  expect(
    impersonatedIdentity({
      subject: 'user-1',
      issuer: 'https://a.dev',
      name: 'Ada',
      emailVerified: true,
      org: { id: 7 },
      roles: ['admin'],
    }),
  ).toEqual({
    success: true,
    identity: {
      tokenIdentifier: 'https://a.dev|user-1',
      issuer: 'https://a.dev',
      subject: 'user-1',
      name: 'Ada',
      emailVerified: true,
      org: { id: 7 },
      roles: ['admin'],
    },
  });
  expect(impersonatedIdentity({ tokenIdentifier: 'custom|id' })).toEqual({
    success: true,
    identity: { tokenIdentifier: 'custom|id' },
  });
});

test('impersonation attributes that Convex would refuse are refused', () => {
  expect(impersonatedIdentity({ name: 'no subject' })).toEqual({
    success: false,
    error: 'Either "tokenIdentifier" or "issuer" and "subject" must be set',
  });
  expect(
    impersonatedIdentity({ tokenIdentifier: 't', emailVerified: 'yes' }),
  ).toEqual({
    success: false,
    error: 'The impersonated identity\'s "emailVerified" must be a boolean',
  });
  expect(impersonatedIdentity('user-1')).toMatchObject({ success: false });
});

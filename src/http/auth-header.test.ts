import { expect, test } from 'vitest';
import { credentialOf } from './auth-header.ts';

const encoded = (identity: unknown) =>
  Buffer.from(JSON.stringify(identity)).toString('base64');

test('credentialOf() reads no header as signed out, and an adminKey parameter as an admin key', () => {
  expect(credentialOf(undefined, undefined)).toEqual({
    success: true,
    credential: { kind: 'none' },
  });
  expect(credentialOf(undefined, 'converge|key')).toEqual({
    success: true,
    credential: { kind: 'admin', key: 'converge|key', actingAs: null },
  });
});

test('credentialOf() takes the scheme in any case', () => {
  expect(credentialOf('Bearer a.b.c', undefined)).toEqual({
    success: true,
    credential: { kind: 'user', token: 'a.b.c' },
  });
  expect(credentialOf('bEaReR  a.b.c ', undefined)).toEqual({
    success: true,
    credential: { kind: 'user', token: 'a.b.c' },
  });
  expect(credentialOf('CONVEX converge|key', undefined)).toEqual({
    success: true,
    credential: { kind: 'admin', key: 'converge|key', actingAs: null },
  });
});

test('credentialOf() drops a deployment type prefix before looking for an identity', () => {
  expect(
    credentialOf('Convex prod:happy-animal-123|secret', undefined),
  ).toEqual({
    success: true,
    credential: {
      kind: 'admin',
      key: 'happy-animal-123|secret',
      actingAs: null,
    },
  });
});

test('credentialOf() reads an admin acting as a user', () => {
  const header = `Convex converge|key:${encoded({ issuer: 'https://i', subject: 'ada', email: 'a@x' })}`;
  expect(credentialOf(header, undefined)).toEqual({
    success: true,
    credential: {
      kind: 'admin',
      key: 'converge|key',
      actingAs: {
        tokenIdentifier: 'https://i|ada',
        issuer: 'https://i',
        subject: 'ada',
        email: 'a@x',
      },
    },
  });
});

test('credentialOf() refuses what is no credential, with Convex codes', () => {
  const refusal = (header: string) => {
    const result = credentialOf(header, 'ignored');
    return result.success ? 'accepted' : result.error;
  };
  expect(refusal('Bearer')).toEqual({
    status: 400,
    code: 'InvalidHeaderFailure',
    message: 'Invalid authentication header',
  });
  expect(refusal('Bearer ')).toEqual({
    status: 400,
    code: 'InvalidAdminKey',
    message: 'Invalid admin key',
  });
  expect(refusal('Basic dXNlcjpwYXNz')).toEqual({
    status: 400,
    code: 'InvalidAdminKey',
    message: 'Invalid admin key',
  });
  const malformed = {
    status: 400,
    code: 'HeaderParseFailure',
    message: 'Malformed Authorization header.',
  };
  expect(refusal('Convex key:heyThisIsNotBase64')).toEqual(malformed);
  expect(refusal(`Convex key:${Buffer.from('{').toString('base64')}`)).toEqual(
    malformed,
  );
  // JSON, but not an identity: neither a tokenIdentifier nor an issuer and subject.
  expect(refusal(`Convex key:${encoded({ name: 'nobody' })}`)).toEqual(
    malformed,
  );
});

import { expect, test } from 'vitest';
import { corsHeaders } from './cors.ts';

test('corsHeaders() mirrors the origin and allows credentials on every response', () => {
  expect(corsHeaders({ origin: 'https://app.example' }, false)).toEqual({
    'access-control-allow-origin': 'https://app.example',
    'access-control-allow-credentials': 'true',
    vary: 'origin, access-control-request-method, access-control-request-headers',
  });
  // Without an Origin there is nothing to allow.
  expect(corsHeaders({}, false)['access-control-allow-origin']).toBeUndefined();
});

test('corsHeaders() for a preflight adds the methods, the mirrored request headers and a day of caching', () => {
  expect(
    corsHeaders(
      {
        origin: 'https://app.example',
        'access-control-request-headers': 'authorization,content-type',
      },
      true,
    ),
  ).toEqual({
    'access-control-allow-origin': 'https://app.example',
    'access-control-allow-credentials': 'true',
    vary: 'origin, access-control-request-method, access-control-request-headers',
    'access-control-allow-methods': 'GET,POST,OPTIONS,PATCH,DELETE,PUT',
    'access-control-allow-headers': 'authorization,content-type',
    'access-control-max-age': '86400',
  });
});

/**
 * What `get_canonical_urls` tells the CLI to write to `.env.local`: the
 * deployment as the CLI reached it.
 */
import { expect, test } from 'vitest';
import { asReached } from './push-routes.ts';

const known = {
  convexCloudUrl: 'http://127.0.0.1:3210',
  convexSiteUrl: 'http://127.0.0.1:3211',
};

test.each([
  ['no Host header', {}, known],
  [
    'a LAN name',
    { host: 'devbox.local:3210' },
    {
      convexCloudUrl: 'http://devbox.local:3210',
      convexSiteUrl: 'http://devbox.local:3211',
    },
  ],
  [
    'a container published on another port, behind TLS',
    { host: 'api.example.com', 'x-forwarded-proto': 'https' },
    {
      convexCloudUrl: 'https://api.example.com',
      convexSiteUrl: 'https://api.example.com:3211',
    },
  ],
  [
    'an IPv6 address',
    { host: '[::1]:3210' },
    { convexCloudUrl: 'http://[::1]:3210', convexSiteUrl: 'http://[::1]:3211' },
  ],
  ['a Host that is no host', { host: 'not a host' }, known],
] as const)('reached through %s', (_case, headers, expected) => {
  expect(asReached(known, headers)).toEqual(expected);
});

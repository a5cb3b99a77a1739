/**
 * Request bodies as the CLI compresses them, and what is refused.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { decodeBody } from './content-encoding.ts';

const json = Buffer.from('{"adminKey":"k","dryRun":false}');

test.each([
  ['br', brotliCompressSync(json)],
  ['gzip', gzipSync(json)],
  ['identity', json],
  [undefined, json],
] as const)(
  'a body sent with Content-Encoding %s decodes to what was sent',
  async (encoding, body) => {
    expect(await decodeBody(encoding, body)).toEqual({
      success: true,
      body: json,
    });
  },
);

test('an encoding the server does not know, or bytes that do not decode, are a 400', async () => {
  expect(await decodeBody('compress', json)).toMatchObject({
    success: false,
    error: { status: 400, code: 'UnsupportedContentEncoding' },
  });
  expect(await decodeBody('br', json)).toMatchObject({
    success: false,
    error: { status: 400, code: 'BadJsonBody' },
  });
});

test('a small body that decodes to more than the limit is refused, not decoded whole', async () => {
  const limit = 64 * 1024;
  const bomb = gzipSync(Buffer.alloc(limit * 100));
  expect(bomb.length).toBeLessThan(limit);
  const decoded = await decodeBody('gzip', bomb, limit);
  expect(decoded).toMatchObject({ success: false, error: { status: 400 } });
  expect(decoded.success || decoded.error.message).toBe(
    `The request body decodes to more than ${limit} bytes.`,
  );
});

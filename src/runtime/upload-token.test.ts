import { describe, expect, test } from 'vitest';
import {
  signUploadToken,
  uploadTokenSecret,
  verifyUploadToken,
} from './upload-token.ts';

const secret = Buffer.from('a secret of this deployment');

describe('upload tokens', () => {
  test('a token is good until it expires, and only under its own secret', () => {
    const token = signUploadToken(secret, 2_000);
    expect(verifyUploadToken(secret, token, 1_000)).toEqual({ success: true });
    expect(verifyUploadToken(secret, token, 3_000)).toEqual({
      success: false,
      error: 'The upload URL has expired.',
    });
    expect(
      verifyUploadToken(Buffer.from('another secret'), token, 1_000),
    ).toEqual({ success: false, error: 'The upload URL is not valid.' });
  });

  test('a token whose expiry was changed is refused', () => {
    const [, signature] = signUploadToken(secret, 2_000).split('.');
    expect(
      verifyUploadToken(secret, `9999999999999.${signature}`, 1_000),
    ).toMatchObject({ success: false });
    expect(verifyUploadToken(secret, 'garbage', 1_000)).toMatchObject({
      success: false,
    });
  });

  test('processes sharing an admin key sign alike; another admin key does not', () => {
    const token = signUploadToken(uploadTokenSecret('converge|shared'), 2_000);

    const verifiedWith = (adminKey: string) =>
      verifyUploadToken(uploadTokenSecret(adminKey), token, 1_000).success;
    expect(verifiedWith('converge|shared')).toBe(true);
    expect(verifiedWith('converge|another')).toBe(false);
  });
});

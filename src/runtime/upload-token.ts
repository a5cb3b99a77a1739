/**
 * Upload tokens: what `ctx.storage.generateUploadUrl()` puts in the URL it
 * returns, so that the upload route accepts a POST only from someone a
 * function gave the URL to, and only for an hour, as on Convex. A token is
 * its expiry and an HMAC-SHA256 of it under the deployment's secret: no
 * state to keep, valid on every process that shares the secret.
 *
 * The secret is derived from the admin key, which every process of a
 * deployment shares (and a data directory keeps): so an upload URL one
 * process hands out is accepted by whichever one a load balancer sends the
 * upload to, and still after a restart. Whoever holds the admin key can
 * make upload URLs through functions anyway; a token reveals nothing of it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long an upload URL stays valid: Convex's one hour. */
export const UPLOAD_URL_TTL_MS = 60 * 60 * 1000;

/** The key upload tokens are signed with, the same on every process with this admin key. */
export function uploadTokenSecret(adminKey: string): Uint8Array {
  return createHmac('sha256', adminKey).update('upload tokens').digest();
}

export function signUploadToken(
  secret: Uint8Array,
  expiresAtMs: number,
): string {
  const expiry = String(expiresAtMs);
  return `${expiry}.${mac(secret, expiry)}`;
}

export type UploadTokenCheck =
  { success: true } | { success: false; error: string };

export function verifyUploadToken(
  secret: Uint8Array,
  token: string,
  nowMs: number,
): UploadTokenCheck {
  const [expiry = '', signature = ''] = token.split('.');
  const expected = Buffer.from(mac(secret, expiry));
  const given = Buffer.from(signature);
  if (
    !/^\d+$/.test(expiry) ||
    given.length !== expected.length ||
    !timingSafeEqual(given, expected)
  )
    return { success: false, error: 'The upload URL is not valid.' };
  if (Number(expiry) < nowMs)
    return { success: false, error: 'The upload URL has expired.' };
  return { success: true };
}

function mac(secret: Uint8Array, expiry: string): string {
  return createHmac('sha256', secret).update(expiry).digest('base64url');
}

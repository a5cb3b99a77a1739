/**
 * ETags for the files the server makes once and sends many times (the
 * dashboard's, the protocol document): a strong tag from the bytes, and
 * whether a request's `If-None-Match` already names it, so a reload is
 * answered 304 with no body.
 */
import { createHash } from 'node:crypto';

/** 22 base64url characters: 132 bits of the bytes' SHA-256, quoted. */
export function entityTag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** `If-None-Match` names the tag, alone, in a list, weakly, or as `*`. */
export function namesEntityTag(
  header: string | undefined,
  etag: string,
): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

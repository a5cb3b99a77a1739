/**
 * Document ids in Convex's format, so that ids look, validate and normalise
 * exactly as on Convex (`v.id(table)`, `db.normalizeId`).
 *
 * An id is the bytes `VInt(tableNumber) ‖ internalId[16] ‖ footer[2]` written
 * in lowercase base32 with the alphabet `0123456789abcdefghjkmnpqrstvwxyz`
 * (5-bit groups, most significant bit first, no padding):
 * - VInt: the table number in 7-bit groups, least significant first, the high
 *   bit set on every byte but the last (1 to 5 bytes);
 * - internalId: 14 bytes, then the 2-byte day number since the epoch. On
 *   Convex the 14 are random; here the first 6 are the creation time in
 *   milliseconds (big-endian) and the other 8 random, so that ids made
 *   one after another sort one after another: a new document's rows then
 *   land at the end of the store's B-trees (documents, `by_id`) instead of
 *   on a random page each, which with a batch of inserts per commit was most
 *   of the pages a commit wrote. 64 random bits per millisecond keep ids as
 *   hard to guess, and an id tells nothing `_creationTime` does not;
 * - footer: a Fletcher-16 checksum (sums modulo 256) of what precedes it,
 *   XOR the format version 0, little-endian.
 * So ids are 31 to 37 characters, 32 for the usual table numbers 10001 and up.
 * Decoding checks the length, the characters, the checksum, a non-zero table
 * number, and that re-encoding gives the same string (one spelling per id).
 * (convex-runtime.md §4.3, from convex-backend `id_v6.rs`.)
 */
import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from the OS 4 KiB at a time and handed out in order:
 * one system call per 512 ids instead of one per id.
 */
const RANDOM_POOL_BYTES = 4096;
const randomPool = new Uint8Array(RANDOM_POOL_BYTES);
let randomOffset = RANDOM_POOL_BYTES;

function randomBytes(length: number): Uint8Array {
  if (randomOffset + length > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += length;
  return randomPool.subarray(randomOffset - length, randomOffset);
}

export interface DecodedId {
  tableNumber: number;
  internalId: Uint8Array;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const DIGIT_OF = new Map([...ALPHABET].map((char, digit) => [char, digit]));
const VERSION = 0;
const INTERNAL_ID_BYTES = 16;
/** The creation time's bytes at the head of an internal id: 48 bits of milliseconds, until the year 10889. */
const TIME_BYTES = 6;
const RANDOM_BYTES = 8;
const DAY_OFFSET = TIME_BYTES + RANDOM_BYTES;
const MIN_ID_LENGTH = 31;
const MAX_ID_LENGTH = 37;
const MAX_TABLE_NUMBER = 0xffff_ffff;
const MS_PER_DAY = 86_400_000;

export function encodeDocumentId(
  tableNumber: number,
  internalId: Uint8Array,
): string {
  if (
    !Number.isInteger(tableNumber) ||
    tableNumber < 1 ||
    tableNumber > MAX_TABLE_NUMBER
  ) {
    throw new RangeError(`invalid table number ${tableNumber}`);
  }
  if (internalId.length !== INTERNAL_ID_BYTES) {
    throw new RangeError(
      `an internal id is ${INTERNAL_ID_BYTES} bytes, got ${internalId.length}`,
    );
  }
  const body = [...encodeVInt(tableNumber), ...internalId];
  const footer = fletcher16(body) ^ VERSION;
  return encodeBase32([...body, footer & 0xff, footer >> 8]);
}

/** The table number and internal id of `id`, or null when it is not a valid id. */
export function decodeDocumentId(id: string): DecodedId | null {
  if (id.length < MIN_ID_LENGTH || id.length > MAX_ID_LENGTH) return null;
  const bytes = decodeBase32(id);
  if (!bytes) return null;
  const vint = decodeVInt(bytes);
  if (!vint || vint.value === 0) return null;
  const bodyLength = vint.length + INTERNAL_ID_BYTES;
  if (bytes.length !== bodyLength + 2) return null;
  const footer = (bytes[bodyLength] ?? 0) | ((bytes[bodyLength + 1] ?? 0) << 8);
  if (footer !== (fletcher16(bytes.slice(0, bodyLength)) ^ VERSION))
    return null;
  const decoded = {
    tableNumber: vint.value,
    internalId: Uint8Array.from(bytes.slice(vint.length, bodyLength)),
  };
  return encodeDocumentId(decoded.tableNumber, decoded.internalId) === id
    ? decoded
    : null;
}

/** A fresh internal id: the time `nowMs`, 8 random bytes, then the day number of `nowMs` (all big-endian). */
export function newInternalId(nowMs: number): Uint8Array {
  const id = new Uint8Array(INTERNAL_ID_BYTES);
  const ms = Math.max(0, Math.floor(nowMs));
  const high = Math.floor(ms / 2 ** 32) & 0xffff;
  id[0] = high >> 8;
  id[1] = high & 0xff;
  new DataView(id.buffer).setUint32(2, ms >>> 0);
  id.set(randomBytes(RANDOM_BYTES), TIME_BYTES);
  const day = Math.floor(nowMs / MS_PER_DAY) & 0xffff;
  id[DAY_OFFSET] = day >> 8;
  id[DAY_OFFSET + 1] = day & 0xff;
  return id;
}

function encodeVInt(n: number): number[] {
  const bytes: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

function decodeVInt(
  bytes: readonly number[],
): { value: number; length: number } | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = bytes[i];
    if (byte === undefined) return null;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80)
      return value > MAX_TABLE_NUMBER ? null : { value, length: i + 1 };
  }
  return null;
}

function fletcher16(bytes: Iterable<number>): number {
  let low = 0;
  let high = 0;
  for (const byte of bytes) {
    low = (low + byte) % 256;
    high = (high + low) % 256;
  }
  return (high << 8) | low;
}

function encodeBase32(bytes: readonly number[]): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 0x1f];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 0x1f];
  return out;
}

/** The whole bytes the characters spell; trailing bits that make no whole byte are dropped. */
function decodeBase32(text: string): number[] | null {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const digit = DIGIT_OF.get(char);
    if (digit === undefined) return null;
    buffer = ((buffer << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

/**
 * The timestamp codec: a Convex timestamp is a u64 (nanoseconds since the
 * Unix epoch) held as a `bigint`, and travels as the padded standard base64
 * of its 8 little-endian bytes (0 ⇄ `AAAAAAAAAAA=`).
 *
 * Inbound timestamps are checked against the `EncodedU64` pattern by the
 * generated validators before they get here, so a malformed one is a bug and
 * throws.
 */

/** A Convex timestamp: nanoseconds since the Unix epoch, 0 ≤ ts < 2^64. */
export type Timestamp = bigint;

const U64_BYTES = 8;

export function encodeTimestamp(ts: Timestamp): string {
  const bytes = Buffer.allocUnsafe(U64_BYTES);
  bytes.writeBigUInt64LE(ts);
  return bytes.toString('base64');
}

export function decodeTimestamp(encoded: string): Timestamp {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== U64_BYTES || encoded.length !== 12) {
    throw new RangeError(`not an encoded u64: ${JSON.stringify(encoded)}`);
  }
  return bytes.readBigUInt64LE();
}

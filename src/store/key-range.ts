/**
 * Byte intervals of index keys. An `IndexRange` (equality prefix, optional
 * bounds on the next field, a resume point) becomes one half-open interval
 * `[start, end)` of encoded keys; the read set and range scans use nothing
 * else.
 *
 * Two facts of the key encoding (index-key.ts) make this exact: after a
 * complete value the next byte is a tag (at most 0x0A) or the end of the key,
 * so `P ‖ FF` is above every key that starts with `P` and below every other
 * key above `P`; and `K ‖ 00` is the smallest key above `K`.
 */
import { type IndexValue, encodeIndexKey } from './index-key.ts';
import { compareKeys } from './compare-keys.ts';

export interface KeyInterval {
  /** Inclusive. */
  start: Buffer;
  /** Exclusive; null means no upper end. */
  end: Buffer | null;
}

export interface RangeSpec {
  eq: readonly IndexValue[];
  lower?: { value: IndexValue; inclusive: boolean } | undefined;
  upper?: { value: IndexValue; inclusive: boolean } | undefined;
}

const EMPTY = Buffer.alloc(0);

/** Above every key that starts with `prefix`, below every other key above it. */
export function prefixEnd(prefix: Buffer): Buffer | null {
  return prefix.length === 0 ? null : Buffer.concat([prefix, Buffer.of(0xff)]);
}

/** The smallest key above `key`. */
export function successor(key: Uint8Array): Buffer {
  return Buffer.concat([key, Buffer.of(0x00)]);
}

export function rangeInterval(range: RangeSpec): KeyInterval {
  const prefix = range.eq.length === 0 ? EMPTY : encodeIndexKey(range.eq);
  const at = (value: IndexValue): Buffer =>
    encodeIndexKey([...range.eq, value]);
  const start = range.lower
    ? range.lower.inclusive
      ? at(range.lower.value)
      : (prefixEnd(at(range.lower.value)) ?? EMPTY)
    : prefix;
  const end = range.upper
    ? range.upper.inclusive
      ? prefixEnd(at(range.upper.value))
      : at(range.upper.value)
    : prefixEnd(prefix);
  return { start, end };
}

/** What is left of `interval` after the key `after`, scanning in `order`. */
export function resumeAfter(
  interval: KeyInterval,
  after: Uint8Array,
  order: 'asc' | 'desc',
): KeyInterval {
  if (order === 'asc') {
    const next = successor(after);
    return {
      start: compareKeys(next, interval.start) > 0 ? next : interval.start,
      end: interval.end,
    };
  }
  const bound = Buffer.from(after);
  const end =
    interval.end === null || compareKeys(bound, interval.end) < 0
      ? bound
      : interval.end;
  return { start: interval.start, end };
}

export function contains(interval: KeyInterval, key: Uint8Array): boolean {
  return (
    compareKeys(key, interval.start) >= 0 &&
    (interval.end === null || compareKeys(key, interval.end) < 0)
  );
}

export function isEmpty(interval: KeyInterval): boolean {
  return (
    interval.end !== null && compareKeys(interval.start, interval.end) >= 0
  );
}

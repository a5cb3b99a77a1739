/**
 * encodedValue: a Convex value's JSON text, made once per value object
 * however many frames carry it, and kept as UTF-8 bytes.
 *
 * A query result is computed once and handed, as the same object, to every
 * session subscribed to it; each session's Transition differs only in its
 * versions and query ids around it. Encoding the value per session would
 * repeat `convexToJson`, `JSON.stringify` and the UTF-8 conversion as many
 * times as there are subscribers, so the bytes are kept beside the object
 * (in a WeakMap: they live exactly as long as the value does) and copied
 * into each frame.
 *
 * Short encodings are not kept: what keeping them costs (a map entry and a
 * buffer of their own, a few hundred bytes) is more than they weigh, and
 * encoding them again costs about as much as copying them. Primitives are
 * never kept: a WeakMap cannot hold them.
 *
 * The bytes are the encoding of the value when first asked: a value is
 * never changed once it has left the function that returned it (the hub
 * shares it read-only), so they never go stale.
 *
 * Not here: frames (encode.ts, encode-transition.ts).
 */
import { type Value, encodeValue } from './values.ts';

/**
 * Encodings shorter than this many UTF-16 units are given as text, every
 * time. At this length a kept copy's own overhead (the WeakMap entry, the
 * typed array and its buffer: about 300 bytes) is at most its size.
 */
const KEEP_FROM_LENGTH = 256;

const utf8 = new TextEncoder();

/**
 * Each long encoding's bytes. TextEncoder gives each its own exactly sized
 * buffer: small Node Buffers are slices of a shared 8 KiB pool, and one
 * kept slice would keep its whole slab alive.
 */
const kept = new WeakMap<object, Uint8Array>();

/**
 * `JSON.stringify(convexToJson(value))`: as text when short, else as its
 * UTF-8 bytes, the same bytes for every call with the same object. Throws
 * as `convexToJson` does.
 */
export function encodedValue(value: Value): string | Uint8Array {
  if (typeof value !== 'object' || value === null) return encodeNow(value);
  const bytes = kept.get(value);
  if (bytes !== undefined) return bytes;
  const text = encodeNow(value);
  if (text.length < KEEP_FROM_LENGTH) return text;
  const encoded = utf8.encode(text);
  kept.set(value, encoded);
  return encoded;
}

/**
 * Whether two values encode to the same JSON, so a client holding one would
 * see no change in the other. The same object, or two equal primitives
 * (`Object.is`: NaN is NaN, -0 is not 0, as their encodings say), are
 * decided without encoding anything.
 */
export function sameValue(a: Value, b: Value): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || a === null) return false;
  if (typeof b !== 'object' || b === null) return false;
  const left = encodedValue(a);
  const right = encodedValue(b);
  // Equal encodings are equally long, so both are text or both are bytes.
  if (typeof left === 'string' || typeof right === 'string')
    return left === right;
  return Buffer.compare(left, right) === 0;
}

function encodeNow(value: Value): string {
  return JSON.stringify(encodeValue(value));
}

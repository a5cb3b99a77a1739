/**
 * encodedValue: a Convex value's JSON text as UTF-8 bytes, made once per
 * value object however many frames carry it.
 *
 * A query result is computed once and handed, as the same object, to every
 * session subscribed to it; each session's Transition differs only in its
 * versions and query ids around it. Encoding the value per session would
 * repeat `convexToJson`, `JSON.stringify` and the UTF-8 conversion as many
 * times as there are subscribers, so the bytes are kept beside the object
 * (in a WeakMap: they live exactly as long as the value does) and copied
 * into each frame. Primitives are not kept: a WeakMap cannot hold them, and
 * their text is short, except for a very long top-level string.
 *
 * The bytes are the encoding of the value when first asked: a value is
 * never changed once it has left the function that returned it (the hub
 * shares it read-only), so they never go stale.
 *
 * Not here: frames (encode.ts, encode-transition.ts).
 */
import { type Value, encodeValue } from './values.ts';

const utf8 = new TextEncoder();

/**
 * Each object's bytes. TextEncoder gives each its own exactly sized buffer:
 * small Node Buffers are slices of a shared 8 KiB pool, and one kept slice
 * would keep its whole slab alive.
 */
const encoded = new WeakMap<object, Uint8Array>();

/** The UTF-8 bytes of `JSON.stringify(convexToJson(value))`; throws as `convexToJson` does. */
export function encodedValue(value: Value): Uint8Array {
  if (typeof value !== 'object' || value === null) return encodeNow(value);
  let bytes = encoded.get(value);
  if (bytes === undefined) {
    bytes = encodeNow(value);
    encoded.set(value, bytes);
  }
  return bytes;
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
  return Buffer.compare(encodedValue(a), encodedValue(b)) === 0;
}

function encodeNow(value: Value): Uint8Array {
  return utf8.encode(JSON.stringify(encodeValue(value)));
}

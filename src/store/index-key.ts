/**
 * Index keys: an order-preserving byte encoding of tuples of Convex values,
 * so that comparing two keys byte by byte (SQLite BLOB, PostgreSQL `bytea`,
 * `Buffer.compare`) gives the order of `compareValues` from `convex/values`
 * applied field by field.
 *
 * Each value is a tag byte, in Convex's type order (a missing field sorts
 * first), then bytes that order within the type, in the style of the
 * FoundationDB tuple layer (as convex-backend's `sorting.rs` does):
 *
 *   undefined  01
 *   null       02
 *   int64      03 + 8 bytes big-endian, sign bit flipped
 *   float64    04 + 8 bytes big-endian IEEE 754, sign bit flipped, or every
 *                   bit flipped when negative (IEEE total order: -NaN < -∞ < -0 < +0 < ∞ < NaN)
 *   false/true 05 / 06
 *   string     07 + UTF-8 bytes, 00 escaped as 00 FF, then 00
 *   bytes      08 + bytes, escaped the same way, then 00
 *   array      09 + elements, then 00
 *   object     0A + (07 + key + 00, value) per key in sorted order, then 00
 *
 * Every encoded value delimits itself and every tag is above the 00 that ends
 * a string, array or object, so a shorter prefix sorts first and a tuple's key
 * is the plain concatenation of its values' encodings.
 *
 * Not here: which fields an index holds (the catalog) nor key ranges.
 */
import { CommitTsPlaceholder, type Value } from 'convex/values';

/** A value as an index sees it: a missing field is `undefined`. */
export type IndexValue = Value | undefined;

const Tag = {
  undefined: 0x01,
  null: 0x02,
  int64: 0x03,
  float64: 0x04,
  false: 0x05,
  true: 0x06,
  string: 0x07,
  bytes: 0x08,
  array: 0x09,
  object: 0x0a,
} as const;

const END = 0x00;
const ESCAPE = 0xff;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The key of a tuple of values, one per indexed field. */
export function encodeIndexKey(values: readonly IndexValue[]): Buffer {
  const writer = new KeyWriter();
  for (const value of values) writer.value(value);
  return writer.finish();
}

/** The tuple of values a key was made from. Throws on bytes that are not a key. */
export function decodeIndexKey(key: Uint8Array): IndexValue[] {
  const reader = new KeyReader(key);
  const values: IndexValue[] = [];
  while (!reader.done()) values.push(reader.value());
  return values;
}

class KeyWriter {
  #bytes = Buffer.allocUnsafe(64);
  #length = 0;

  finish(): Buffer {
    return Buffer.from(this.#bytes.subarray(0, this.#length));
  }

  value(value: IndexValue): void {
    if (value === undefined) return this.#byte(Tag.undefined);
    if (value === null) return this.#byte(Tag.null);
    switch (typeof value) {
      case 'bigint':
        return this.#int64(value);
      case 'number':
        return this.#float64(value);
      case 'boolean':
        return this.#byte(value ? Tag.true : Tag.false);
      case 'string':
        this.#byte(Tag.string);
        return this.#escaped(Buffer.from(value, 'utf8'));
      default:
        break;
    }
    if (value instanceof ArrayBuffer) {
      this.#byte(Tag.bytes);
      return this.#escaped(new Uint8Array(value));
    }
    if (value instanceof CommitTsPlaceholder) return this.#int64(INT64_MAX);
    if (Array.isArray(value)) {
      this.#byte(Tag.array);
      for (const element of value) this.value(element);
      return this.#byte(END);
    }
    this.#byte(Tag.object);
    for (const key of Object.keys(value).sort()) {
      const field = value[key];
      if (field === undefined) continue;
      this.#byte(Tag.string);
      this.#escaped(Buffer.from(key, 'utf8'));
      this.value(field);
    }
    this.#byte(END);
  }

  #int64(value: bigint): void {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new RangeError(`${value} is outside the int64 range`);
    }
    this.#byte(Tag.int64);
    const at = this.#reserve(8);
    this.#bytes.writeBigInt64BE(value, at);
    this.#bytes[at] = (this.#bytes[at] ?? 0) ^ 0x80;
  }

  #float64(value: number): void {
    this.#byte(Tag.float64);
    const at = this.#reserve(8);
    this.#bytes.writeDoubleBE(value, at);
    const negative = ((this.#bytes[at] ?? 0) & 0x80) !== 0;
    if (negative) {
      for (let i = at; i < at + 8; i++)
        this.#bytes[i] = ~(this.#bytes[i] ?? 0) & 0xff;
    } else {
      this.#bytes[at] = (this.#bytes[at] ?? 0) ^ 0x80;
    }
  }

  #escaped(bytes: Uint8Array): void {
    for (const byte of bytes) {
      this.#byte(byte);
      if (byte === END) this.#byte(ESCAPE);
    }
    this.#byte(END);
  }

  #byte(byte: number): void {
    const at = this.#reserve(1);
    this.#bytes[at] = byte;
  }

  /** Makes room for `n` more bytes and returns where they start. */
  #reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(
        Math.max(this.#bytes.length * 2, at + n),
      );
      this.#bytes.copy(grown, 0, 0, at);
      this.#bytes = grown;
    }
    this.#length = at + n;
    return at;
  }
}

class KeyReader {
  readonly #bytes: Buffer;
  #at = 0;

  constructor(key: Uint8Array) {
    this.#bytes = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  }

  done(): boolean {
    return this.#at >= this.#bytes.length;
  }

  value(): IndexValue {
    const tag = this.#byte();
    switch (tag) {
      case Tag.undefined:
        return undefined;
      case Tag.null:
        return null;
      case Tag.int64: {
        const bytes = Buffer.from(this.#take(8));
        bytes[0] = (bytes[0] ?? 0) ^ 0x80;
        return bytes.readBigInt64BE(0);
      }
      case Tag.float64: {
        const bytes = Buffer.from(this.#take(8));
        const wasNegative = ((bytes[0] ?? 0) & 0x80) === 0;
        if (wasNegative)
          for (let i = 0; i < 8; i++) bytes[i] = ~(bytes[i] ?? 0) & 0xff;
        else bytes[0] = (bytes[0] ?? 0) ^ 0x80;
        return bytes.readDoubleBE(0);
      }
      case Tag.false:
        return false;
      case Tag.true:
        return true;
      case Tag.string:
        return this.#unescaped().toString('utf8');
      case Tag.bytes: {
        const bytes = this.#unescaped();
        const copy = new ArrayBuffer(bytes.length);
        new Uint8Array(copy).set(bytes);
        return copy;
      }
      case Tag.array: {
        const elements: Value[] = [];
        while (this.#peek() !== END) elements.push(this.#defined(this.value()));
        this.#at++;
        return elements;
      }
      case Tag.object: {
        const object: Record<string, Value> = {};
        while (this.#peek() !== END) {
          if (this.#byte() !== Tag.string) throw this.#malformed('object key');
          const key = this.#unescaped().toString('utf8');
          object[key] = this.#defined(this.value());
        }
        this.#at++;
        return object;
      }
      default:
        throw this.#malformed(`tag ${tag}`);
    }
  }

  #defined(value: IndexValue): Value {
    if (value === undefined) throw this.#malformed('undefined inside a value');
    return value;
  }

  #unescaped(): Buffer {
    const out: number[] = [];
    for (;;) {
      const byte = this.#byte();
      if (byte !== END) {
        out.push(byte);
      } else if (this.#peek() === ESCAPE) {
        out.push(END);
        this.#at++;
      } else {
        return Buffer.from(out);
      }
    }
  }

  #byte(): number {
    const byte = this.#bytes[this.#at];
    if (byte === undefined) throw this.#malformed('truncated key');
    this.#at++;
    return byte;
  }

  #peek(): number | undefined {
    return this.#bytes[this.#at];
  }

  #take(n: number): Buffer {
    if (this.#at + n > this.#bytes.length)
      throw this.#malformed('truncated key');
    const bytes = this.#bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return bytes;
  }

  #malformed(what: string): Error {
    return new Error(`not an index key: ${what} at byte ${this.#at}`);
  }
}

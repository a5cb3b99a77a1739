/**
 * Convex's export JSON (`ValueFormat::ConvexExportJSON` in convex-backend
 * `crates/value/src/export/mod.rs`): how the documents of a snapshot ZIP are
 * written when its `generated_schema.jsonl` says `"uniform"`, readable and
 * lossless:
 *
 * - an Int64 is a JSON integer (`42`) and a finite Float64 a number with a
 *   fraction or an exponent (`42.0`, `-0.0`, `1e+300`), so the two stay
 *   apart;
 * - a non-finite Float64 is `{"$float": "<base64 of its 8 little-endian
 *   bytes>"}` and bytes are `{"$bytes": "<base64>"}`, as `convexToJson`
 *   writes them;
 * - strings, booleans, null, arrays and objects are themselves.
 *
 * Read back (`from_clean_lossless`): an integer that fits an Int64 is an
 * Int64, any other number a Float64, and an object whose first field starts
 * with `$` is read by `jsonToConvex`.
 *
 * The single-table formats (`.jsonl`, `.json`) are "clean" JSON, which
 * Convex reads with nothing to infer from: every number is a Float64 and
 * every object a plain object (`ExportContext::Infer` over an unknown
 * shape, convex-backend `crates/shape_inference/src/export_context.rs`).
 *
 * `JSON.parse` cannot tell `1` from `1.0`, nor keep a 64-bit integer whole,
 * so the reader here reads the text itself.
 */
import { type JSONValue, type Value, jsonToConvex } from 'convex/values';

export type ExportJsonMode = 'export' | 'clean';

export type ExportJsonResult =
  { success: true; value: Value } | { success: false; error: string };

/** Deeper than any document may be (16 levels), shallow enough for the call stack. */
const MAX_DEPTH = 64;
const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const INTEGER = /^-?\d+$/;

/** `value` in export JSON, as one line of text. */
export function formatExportJson(value: Value): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return formatFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (value instanceof ArrayBuffer)
    return `{"$bytes":${JSON.stringify(Buffer.from(value).toString('base64'))}}`;
  if (Array.isArray(value))
    return `[${value.map((element) => formatExportJson(element)).join(',')}]`;
  const fields: string[] = [];
  for (const [key, field] of Object.entries(
    value as Record<string, Value | undefined>,
  ))
    if (field !== undefined)
      fields.push(`${JSON.stringify(key)}:${formatExportJson(field)}`);
  return `{${fields.join(',')}}`;
}

function formatFloat(value: number): string {
  if (!Number.isFinite(value)) {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value);
    return `{"$float":"${bytes.toString('base64')}"}`;
  }
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** One JSON text read as a Convex value, or why it cannot be. */
export function parseExportJson(
  text: string,
  mode: ExportJsonMode,
): ExportJsonResult {
  const reader = new Reader(text, mode);
  try {
    const value = reader.value(0);
    reader.end();
    return { success: true, value };
  } catch (error) {
    if (error instanceof JsonTextError)
      return { success: false, error: error.message };
    throw error;
  }
}

class Reader {
  readonly #text: string;
  readonly #mode: ExportJsonMode;
  #at = 0;

  constructor(text: string, mode: ExportJsonMode) {
    this.#text = text;
    this.#mode = mode;
  }

  value(depth: number): Value {
    if (depth > MAX_DEPTH) this.#fail(`nested more than ${MAX_DEPTH} deep`);
    this.#skipSpace();
    const char = this.#text[this.#at];
    switch (char) {
      case '{':
        return this.#object(depth);
      case '[':
        return this.#array(depth);
      case '"':
        return this.#string();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      default:
        return this.#number();
    }
  }

  end(): void {
    this.#skipSpace();
    if (this.#at < this.#text.length)
      this.#fail('unexpected text after the value');
  }

  #object(depth: number): Value {
    this.#at += 1;
    const entries: [string, Value][] = [];
    this.#skipSpace();
    if (this.#text[this.#at] === '}') this.#at += 1;
    else
      for (;;) {
        this.#skipSpace();
        if (this.#text[this.#at] !== '"') this.#fail('expected a field name');
        const key = this.#string();
        this.#skipSpace();
        this.#expect(':');
        entries.push([key, this.value(depth + 1)]);
        this.#skipSpace();
        if (this.#text[this.#at] === ',') this.#at += 1;
        else {
          this.#expect('}');
          break;
        }
      }
    // Object.fromEntries defines `__proto__` as a field, never as the prototype.
    const object = Object.fromEntries(entries);
    if (this.#mode === 'export' && entries[0]?.[0].startsWith('$'))
      return this.#encoded(object as JSONValue);
    return object;
  }

  #encoded(json: JSONValue): Value {
    try {
      return jsonToConvex(json);
    } catch (error) {
      return this.#fail(error instanceof Error ? error.message : String(error));
    }
  }

  #array(depth: number): Value {
    this.#at += 1;
    const elements: Value[] = [];
    this.#skipSpace();
    if (this.#text[this.#at] === ']') this.#at += 1;
    else
      for (;;) {
        elements.push(this.value(depth + 1));
        this.#skipSpace();
        if (this.#text[this.#at] === ',') this.#at += 1;
        else {
          this.#expect(']');
          break;
        }
      }
    return elements;
  }

  #string(): string {
    const start = this.#at;
    let at = start + 1;
    // Escapes, and control characters (which JSON forbids), go the long way.
    let plain = true;
    for (;;) {
      const code = this.#text.charCodeAt(at);
      if (Number.isNaN(code)) this.#fail('unterminated string');
      if (code === 0x22) break;
      if (code < 0x20) plain = false;
      if (code === 0x5c) {
        plain = false;
        at += 2;
      } else at += 1;
    }
    this.#at = at + 1;
    if (plain) return this.#text.slice(start + 1, at);
    try {
      return JSON.parse(this.#text.slice(start, at + 1)) as string;
    } catch {
      return this.#fail('invalid string');
    }
  }

  #number(): number | bigint {
    NUMBER.lastIndex = this.#at;
    const match = NUMBER.exec(this.#text);
    if (!match) return this.#fail('unexpected character');
    this.#at = NUMBER.lastIndex;
    const literal = match[0];
    if (this.#mode === 'export' && INTEGER.test(literal)) {
      const integer = BigInt(literal);
      if (integer >= MIN_INT64 && integer <= MAX_INT64) return integer;
    }
    return Number(literal);
  }

  #literal<T extends Value>(word: string, value: T): T {
    if (!this.#text.startsWith(word, this.#at)) this.#fail('unexpected word');
    this.#at += word.length;
    return value;
  }

  #expect(char: string): void {
    if (this.#text[this.#at] !== char) this.#fail(`expected '${char}'`);
    this.#at += 1;
  }

  #skipSpace(): void {
    for (;;) {
      const code = this.#text.charCodeAt(this.#at);
      if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d)
        this.#at += 1;
      else return;
    }
  }

  #fail(reason: string): never {
    throw new JsonTextError(`${reason} at position ${this.#at}`);
  }
}

/** Why the text is not what the reader expects: caught by `parseExportJson`, never seen outside. */
class JsonTextError extends Error {}

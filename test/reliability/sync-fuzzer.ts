/**
 * The sync fuzzer: seeded inputs for the sync socket, each a short sequence
 * of frames on a fresh socket. Valid client messages come from the JSON
 * Schemas of `generated/schemas` (schema-sample.ts), made consistent with
 * the session (versions in order, query ids fresh); the bad ones mutate them:
 * wrong types, missing and extra fields, huge strings and arrays, deep
 * nesting, invalid UTF-8, binary and oversized frames, other client versions
 * in the URL, wrong versions and out-of-order messages.
 *
 * What the server must answer is not decided here: sync-oracle.ts works it
 * out from the frames alone.
 */
import { type Value, convexToJson } from 'convex/values';
import type { Draw } from '../differential/draw.ts';
import { TEST_ADMIN_KEY } from '../helpers/converge-server.ts';
import {
  type Schema,
  type Specials,
  loadMessageSchema,
  randomJson,
  randomText,
  sampleSchema,
} from './schema-sample.ts';

export type Frame =
  | { kind: 'text'; text: string }
  /** A text frame whose bytes are not UTF-8. */
  | { kind: 'invalid-utf8'; bytes: Buffer }
  | { kind: 'binary'; bytes: Buffer };

export interface SyncInput {
  category: SyncCategory;
  /** What was done, short enough for a failure report. */
  description: string;
  /** The client version in the socket's URL; null for `/api/sync`. */
  clientVersion: string | null;
  frames: Frame[];
}

export const syncCategories = [
  'valid',
  'wrong-type',
  'missing-field',
  'extra-field',
  'huge-string',
  'huge-array',
  'deep-nesting',
  'invalid-utf8',
  'binary-frame',
  'oversized-frame',
  'not-a-message',
  'client-version',
  'wrong-version',
  'out-of-order',
] as const;
export type SyncCategory = (typeof syncCategories)[number];

export const clientMessageTypes = [
  'Connect',
  'ModifyQuerySet',
  'Mutation',
  'Action',
  'Authenticate',
  'Event',
] as const;
export type MessageType = (typeof clientMessageTypes)[number];

/** The sync route's payload limit (src/ws/sync-route.ts): 32 MiB. */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

export interface SyncFuzzerOptions {
  /** The longest string or array a huge input gets, in characters or items. */
  hugeLength: number;
}

/**
 * Functions of the `basic` test app, and paths that name none. The
 * bystander's counters are left out: no fuzzed input may touch its data.
 */
const QUERY_PATHS = ['messages:list', 'messages', 'pages:list', 'nope:nope'];
const MUTATION_PATHS = ['messages:send', 'messages:remove', 'errors:nope', ''];
const ACTION_PATHS = ['actions:post', 'actions:catchesConvexError', 'x:y'];

const schemas = Object.fromEntries(
  clientMessageTypes.map((type) => [type, loadMessageSchema(type)]),
) as Record<MessageType, Schema>;

export class SyncFuzzer {
  readonly #draw: Draw;
  readonly #options: SyncFuzzerOptions;
  readonly #specials: Specials;

  constructor(draw: Draw, options: SyncFuzzerOptions) {
    this.#draw = draw;
    this.#options = options;
    this.#specials = {
      ConvexValue: (d) => convexToJson(randomConvexValue(d, 2)),
      UdfPath: (d) => d.pick([...QUERY_PATHS, ...MUTATION_PATHS]),
      EncodedTs: (d) => encodeU64(d.chance(0.5) ? 0n : BigInt(d.int(1, 1e9))),
      EncodedU64: (d) => encodeU64(BigInt(d.int(0, 1e9))),
      SessionId: (d) => uuid(d),
      'pattern:^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$':
        (d) => randomBytes(d, d.int(0, 9)).toString('base64'),
    };
    for (const type of clientMessageTypes) this.#checkSamples(type);
  }

  /** The next input of a category. */
  input(category: SyncCategory): SyncInput {
    const d = this.#draw;
    const session = new SessionScript(d);
    const version = d.chance(0.9) ? '1.48.0' : null;
    const make = (description: string, frames: Frame[]): SyncInput => ({
      category,
      description,
      clientVersion: version,
      frames,
    });
    const prefix = session.prefix();
    switch (category) {
      case 'valid': {
        const messages = Array.from({ length: d.int(1, 4) }, () =>
          session.next(this.#sample(d.pick(clientMessageTypes))),
        );
        return make(
          `valid ${messages.map((m) => m['type']).join(', ')}`,
          [...prefix, ...messages].map(json),
        );
      }
      case 'wrong-type':
      case 'missing-field':
      case 'extra-field':
      case 'huge-string':
      case 'huge-array':
      case 'deep-nesting': {
        const type = d.pick(clientMessageTypes);
        const message = session.next(this.#sample(type));
        const mutated = this.#mutate(category, message);
        return make(`${category} in ${type}: ${mutated.what}`, [
          ...prefix.map(json),
          { kind: 'text', text: mutated.text },
        ]);
      }
      case 'invalid-utf8': {
        const text = JSON.stringify(
          session.next(this.#sample(d.pick(clientMessageTypes))),
        );
        const bytes = Buffer.from(text, 'utf8');
        const at = d.int(0, bytes.length);
        const bad = d.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88]]);
        return make(`byte ${bad.join(',')} at ${at} of ${text.length}`, [
          ...prefix.map(json),
          {
            kind: 'invalid-utf8',
            bytes: Buffer.concat([
              bytes.subarray(0, at),
              Buffer.from(bad),
              bytes.subarray(at),
            ]),
          },
        ]);
      }
      case 'binary-frame': {
        const message = session.next(this.#sample(d.pick(clientMessageTypes)));
        const bytes = d.chance(0.5)
          ? Buffer.from(JSON.stringify(message))
          : randomBytes(d, d.int(0, 64));
        return make(`binary frame of ${bytes.length} bytes`, [
          ...prefix.map(json),
          { kind: 'binary', bytes },
        ]);
      }
      case 'oversized-frame': {
        const extra = d.int(1, 1024 * 1024);
        const text = `{"type":"Event","eventType":"x","event":"${'x'.repeat(
          MAX_PAYLOAD_BYTES + extra,
        )}"}`;
        return make(`text frame of ${text.length} bytes`, [
          ...prefix.map(json),
          { kind: 'text', text },
        ]);
      }
      case 'not-a-message': {
        const text = d.pick([
          () => '',
          () => randomText(d, d.int(1, 40)),
          () => JSON.stringify(randomJson(d, 3)),
          () => JSON.stringify({ type: d.pick(['Ping', 'Transition', '']) }),
          () =>
            JSON.stringify({ type: d.pick(clientMessageTypes).toLowerCase() }),
          () => JSON.stringify(this.#sample(d.pick(clientMessageTypes))) + ',',
          () => '{"type":"Event","eventType":"x","event":1e999}',
        ])();
        return make(`text ${JSON.stringify(text.slice(0, 60))}`, [
          ...prefix.map(json),
          { kind: 'text', text },
        ]);
      }
      case 'client-version': {
        const clientVersion = d.pick([
          '1.0.0',
          '1.27.9',
          '1.28.0',
          '2.0.0',
          '1.48.0-alpha.1',
          '99.99.99',
        ]);
        const messages = [
          ...prefix,
          session.next(this.#sample('ModifyQuerySet')),
        ];
        return {
          ...make(`URL version ${clientVersion}`, messages.map(json)),
          clientVersion,
        };
      }
      case 'wrong-version': {
        const type = d.pick(['ModifyQuerySet', 'Authenticate'] as const);
        const message = session.next(this.#sample(type));
        const field = d.pick(
          type === 'ModifyQuerySet'
            ? (['baseVersion', 'newVersion'] as const)
            : (['baseVersion'] as const),
        );
        const was = message[field] as number;
        message[field] = d.pick([
          was + 1,
          was + d.int(2, 1000),
          Math.max(0, was - 1),
          4294967295,
          0,
        ]);
        return make(`${type} ${field} ${was} → ${String(message[field])}`, [
          ...prefix.map(json),
          json(message),
        ]);
      }
      case 'out-of-order': {
        // No Connect, then the messages in a shuffled order.
        const messages = Array.from({ length: d.int(2, 5) }, () =>
          session.next(this.#sample(d.pick(clientMessageTypes))),
        );
        for (let i = messages.length - 1; i > 0; i -= 1) {
          const j = d.int(0, i);
          [messages[i], messages[j]] = [
            messages[j] as Message,
            messages[i] as Message,
          ];
        }
        if (d.chance(0.3) && messages[0]) messages.push(messages[0]); // the same message again
        return make(
          `order ${messages.map((m) => m['type']).join(', ')}`,
          messages.map(json),
        );
      }
    }
  }

  /** A schema-valid message of a type, before the session fixes it up. */
  #sample(type: MessageType): Message {
    return sampleSchema(schemas[type], this.#draw, this.#specials) as Message;
  }

  #mutate(
    category: SyncCategory,
    message: Message,
  ): { what: string; text: string } {
    const d = this.#draw;
    const paths = pathsOf(message);
    const path = d.pick(paths);
    const where = path.join('.') || '(the message)';
    switch (category) {
      case 'wrong-type': {
        const replacement = d.pick<unknown>([
          null,
          true,
          -1,
          1.5,
          4294967296,
          '',
          'x',
          [],
          [1],
          {},
          { $integer: 'AQ==' },
        ]);
        return {
          what: `${where} = ${JSON.stringify(replacement)}`,
          text: JSON.stringify(setAt(message, path, replacement)),
        };
      }
      case 'missing-field': {
        const keyed = paths.filter((p) => typeof p.at(-1) === 'string');
        const gone = d.pick(keyed.length > 0 ? keyed : [['type']]);
        return {
          what: `without ${gone.join('.')}`,
          text: JSON.stringify(setAt(message, gone, undefined)),
        };
      }
      case 'extra-field': {
        const objects = paths.filter((p) => isObject(getAt(message, p)));
        const at = d.pick(objects);
        const name = d.pick([
          'extra',
          '$extra',
          'type',
          '__proto__',
          'constructor',
          randomText(d, 5),
        ]);
        const value = randomJson(d, 2);
        // Spliced into the text: `__proto__` in JSON text is an own property.
        const placeholder = '\u0000extra\u0000';
        const target = getAt(message, at) as Record<string, unknown>;
        const text = JSON.stringify(
          setAt(message, at, { ...target, [placeholder]: value }),
        ).replace(JSON.stringify(placeholder), JSON.stringify(name));
        return {
          what: `${at.join('.') || '(the message)'}.${name} = ${JSON.stringify(value)}`,
          text,
        };
      }
      case 'huge-string': {
        const length = d.int(
          this.#options.hugeLength / 4,
          this.#options.hugeLength,
        );
        const strings = paths.filter(
          (p) => typeof getAt(message, p) === 'string',
        );
        const at = d.pick(strings.length > 0 ? strings : [path]);
        return {
          what: `${at.join('.')} = a string of ${length}`,
          text: JSON.stringify(setAt(message, at, 'é'.repeat(length / 2))),
        };
      }
      case 'huge-array': {
        const length = d.int(
          this.#options.hugeLength / 16,
          this.#options.hugeLength / 4,
        );
        const item = d.pick<unknown>([0, 'x', null, {}, [1]]);
        return {
          what: `${where} = an array of ${length} × ${JSON.stringify(item)}`,
          text: JSON.stringify(
            setAt(message, path, new Array<unknown>(length).fill(item)),
          ),
        };
      }
      case 'deep-nesting': {
        // Around the 128-level limit, and far past it.
        const depth = d.pick([
          d.int(100, 140),
          d.int(1000, 5000),
          d.int(50_000, 200_000),
        ]);
        const open = d.chance(0.5) ? '[' : '{"a":';
        const close = open === '[' ? ']' : '}';
        const marker = '"\u0000deep\u0000"';
        const text = JSON.stringify(setAt(message, path, '\u0000deep\u0000'))
          .replace(JSON.stringify('\u0000deep\u0000'), marker)
          .replace(marker, `${open.repeat(depth)}1${close.repeat(depth)}`);
        return { what: `${where} nested ${depth} deep in ${open}`, text };
      }
      default:
        throw new Error(`${category} is not a mutation`);
    }
  }

  /** Fails fast if a schema gains a keyword or pattern the sampler cannot meet. */
  #checkSamples(type: MessageType): void {
    this.#sample(type);
  }
}

export type Message = Record<string, unknown>;

/**
 * One socket's session as the fuzzer scripts it: what a well-behaved client
 * would send next (versions in order, query ids fresh, its own request ids).
 */
class SessionScript {
  readonly #draw: Draw;
  #querySet = 0;
  #identity = 0;
  #requestId = 0;
  #queries: number[] = [];
  #nextQueryId = 1;

  constructor(draw: Draw) {
    this.#draw = draw;
  }

  /** Usually a Connect and the connect burst's ModifyQuerySet, as the client opens. */
  prefix(): Message[] {
    const d = this.#draw;
    if (d.chance(0.15)) return [];
    const connect: Message = {
      type: 'Connect',
      sessionId: uuid(d),
      connectionCount: 0,
      lastCloseReason: 'InitialConnect',
      clientTs: Date.now(),
    };
    return d.chance(0.5)
      ? [connect]
      : [
          connect,
          this.next({
            type: 'ModifyQuerySet',
            baseVersion: 0,
            newVersion: 1,
            modifications: [
              {
                type: 'Add',
                queryId: 0,
                udfPath: 'messages:list',
                args: [{ channel: 'fuzz' }],
              },
            ],
          }),
        ];
  }

  /** A sampled message made what this session would validly send next. */
  next(message: Message): Message {
    const d = this.#draw;
    switch (message['type']) {
      case 'Connect':
        return { ...message, connectionCount: d.int(0, 3) };
      case 'ModifyQuerySet': {
        const modifications = (message['modifications'] as Message[]).map(
          (m): Message => {
            if (m['type'] === 'Remove' && this.#queries.length > 0) {
              const queryId = d.pick(this.#queries);
              this.#queries = this.#queries.filter((q) => q !== queryId);
              return { type: 'Remove', queryId };
            }
            const queryId = this.#nextQueryId;
            this.#nextQueryId += 1;
            this.#queries.push(queryId);
            const { componentPath: _, ...add } = m;
            return {
              ...add,
              type: 'Add',
              queryId,
              udfPath: d.pick(QUERY_PATHS),
              args: [{ channel: randomText(d, 4) }],
            };
          },
        );
        const baseVersion = this.#querySet;
        this.#querySet += 1;
        return {
          ...message,
          baseVersion,
          newVersion: this.#querySet,
          modifications,
        };
      }
      case 'Authenticate': {
        const baseVersion = this.#identity;
        if (message['tokenType'] === 'None') {
          this.#identity += 1;
          return { ...message, baseVersion };
        }
        // A well-formed admin key, or a token that fails: both are valid frames.
        if (message['tokenType'] === 'Admin' && d.chance(0.5)) {
          this.#identity += 1;
          const { impersonating: _, actingAs: __, ...admin } = message;
          return {
            ...admin,
            value: TEST_ADMIN_KEY,
            baseVersion,
            ...(d.chance(0.5)
              ? { impersonating: { issuer: 'fuzz', subject: randomText(d, 6) } }
              : {}),
          };
        }
        return { ...message, baseVersion };
      }
      case 'Mutation':
      case 'Action': {
        const requestId = this.#requestId;
        this.#requestId += 1;
        const { componentPath: _, ...call } = message;
        return {
          ...call,
          requestId,
          udfPath: d.pick(
            message['type'] === 'Mutation' ? MUTATION_PATHS : ACTION_PATHS,
          ),
        };
      }
      default:
        return message;
    }
  }
}

function json(message: Message): Frame {
  return { kind: 'text', text: JSON.stringify(message) };
}

type Path = (string | number)[];

/** Every path into a value, the value itself first. */
function pathsOf(value: unknown, path: Path = []): Path[] {
  const paths: Path[] = [path];
  if (Array.isArray(value))
    value.forEach((item, i) => paths.push(...pathsOf(item, [...path, i])));
  else if (isObject(value))
    for (const [name, item] of Object.entries(value))
      paths.push(...pathsOf(item, [...path, name]));
  return paths;
}

function getAt(value: unknown, path: Path): unknown {
  let at = value;
  for (const step of path)
    at = (at as Record<string | number, unknown> | undefined)?.[step];
  return at;
}

/** A copy of `value` with `replacement` at `path` (`undefined` removes it). */
function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  const [step, ...rest] = path;
  if (step === undefined) return replacement;
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    if (replacement === undefined && rest.length === 0)
      copy.splice(Number(step), 1);
    else copy[Number(step)] = setAt(copy[Number(step)], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (replacement === undefined && rest.length === 0) delete copy[step];
  else copy[step] = setAt(copy[step], rest, replacement);
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function uuid(d: Draw): string {
  const hex = randomBytes(d, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function randomBytes(d: Draw, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => d.int(0, 255)));
}

function encodeU64(value: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes.toString('base64');
}

/** A Convex value of every kind the wire encodes specially, too. */
function randomConvexValue(d: Draw, depth: number): Value {
  const key = () =>
    d.pick(['a', 'b', 'channel', 'body', 'name', 'x_1', 'long key']);
  switch (d.int(0, depth > 0 ? 9 : 7)) {
    case 0:
      return null;
    case 1:
      return d.chance(0.5);
    case 2:
      return d.int(-1e6, 1e6) / d.pick([1, 8]);
    case 3:
      return BigInt(d.int(-1e9, 1e9));
    case 4:
      return d.pick([Number.NaN, Infinity, -Infinity, -0]);
    case 5:
      return new Uint8Array(randomBytes(d, d.int(0, 8))).buffer;
    case 6:
    case 7:
      return randomText(d, d.int(0, 10));
    case 8:
      return Array.from({ length: d.int(0, 3) }, () =>
        randomConvexValue(d, depth - 1),
      );
    default:
      return Object.fromEntries(
        Array.from({ length: d.int(0, 3) }, () => [
          key(),
          randomConvexValue(d, depth - 1),
        ]),
      );
  }
}

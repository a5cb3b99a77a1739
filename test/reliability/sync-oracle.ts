/**
 * The sync oracle: what the server must answer to a sequence of frames on a
 * fresh socket, worked out from convex-protocol.md alone (§1.3 closes, §2
 * messages, §3.6 FatalError, §4 versions) and the JSON Schemas of the
 * AsyncAPI document, never from the server's code:
 *
 * - a frame that is not a client message (not JSON, nested past the 128
 *   levels serde_json parses, not an object of a known `type`, failing its
 *   schema, arguments that `jsonToConvex` refuses, a binary frame):
 *   `FatalError`, then a close without a code;
 * - a text frame that is not UTF-8, or one past the 32 MiB payload limit:
 *   the WebSocket connection is failed (RFC 6455 §8.1, §10.4);
 * - a `ModifyQuerySet` whose `baseVersion` is not the last one received:
 *   `FatalError` (`BaseVersionMismatch`); a `newVersion` not after it, a
 *   duplicate or unknown query id, an `Authenticate` with another identity
 *   version, a `maxObservedTimestamp` ahead of the server: close 1011;
 * - a token that does not verify: `AuthError`, then a close without a code;
 * - anything else is served: every Mutation and Action answered, the
 *   versions where the frames put them, and the socket open.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { jsonToConvex } from 'convex/values';
import type { JSONValue } from 'convex/values';
import { TEST_ADMIN_KEY } from '../helpers/converge-server.ts';
import {
  MAX_PAYLOAD_BYTES,
  type Frame,
  type MessageType,
  clientMessageTypes,
} from './sync-fuzzer.ts';
import { loadMessageSchema } from './schema-sample.ts';

export type Expected =
  | { kind: 'fatal'; because: string }
  | { kind: 'auth-error'; because: string }
  | { kind: 'internal'; because: string }
  | { kind: 'failed'; because: string }
  | {
      kind: 'served';
      querySet: number;
      identity: number;
      /** Request ids owed an answer, one entry per answer. */
      requestIds: number[];
    };

/** serde_json's default recursion limit: the real backend parses no deeper. */
const MAX_DEPTH = 128;

/** Timestamps below this are behind any server clock (it is 2001 in ns). */
const SURELY_PAST = 1_000_000_000_000_000_000n;

const ajv = new Ajv.default({
  discriminator: true,
  allowUnionTypes: true,
  strict: false,
});
const validators = Object.fromEntries(
  clientMessageTypes.map((type) => [
    type,
    ajv.compile(loadMessageSchema(type)),
  ]),
) as Record<MessageType, ValidateFunction>;

export function expectedOutcome(frames: readonly Frame[]): Expected {
  const state = {
    querySet: 0,
    identity: 0,
    queries: new Set<number>(),
    requestIds: [] as number[],
  };
  for (const frame of frames) {
    if (frame.kind === 'binary')
      return { kind: 'fatal', because: 'a binary frame' };
    if (frame.kind === 'invalid-utf8')
      return { kind: 'failed', because: 'a text frame that is not UTF-8' };
    if (Buffer.byteLength(frame.text) > MAX_PAYLOAD_BYTES)
      return { kind: 'failed', because: 'a frame past the payload limit' };
    const message = clientMessage(frame.text);
    if (typeof message === 'string') return { kind: 'fatal', because: message };
    switch (message.type) {
      case 'Connect': {
        const encoded = message['maxObservedTimestamp'];
        if (typeof encoded === 'string') {
          const ts = Buffer.from(encoded, 'base64').readBigUInt64LE();
          if (ts >= SURELY_PAST) {
            if (ts <= BigInt(Date.now() + 86_400_000) * 1_000_000n)
              throw new Error(`a timestamp too close to now: ${ts}`);
            return { kind: 'internal', because: 'a timestamp from the future' };
          }
        }
        break;
      }
      case 'ModifyQuerySet': {
        const base = message['baseVersion'] as number;
        const next = message['newVersion'] as number;
        if (base !== state.querySet)
          return { kind: 'fatal', because: 'BaseVersionMismatch' };
        if (next <= base)
          return { kind: 'internal', because: 'newVersion not after base' };
        for (const change of message['modifications'] as {
          type: string;
          queryId: number;
        }[]) {
          const exists = state.queries.has(change.queryId);
          if (change.type === 'Add' && exists)
            return { kind: 'internal', because: 'a duplicate query id' };
          if (change.type === 'Remove' && !exists)
            return { kind: 'internal', because: 'an unknown query id' };
          if (change.type === 'Add') state.queries.add(change.queryId);
          else state.queries.delete(change.queryId);
        }
        state.querySet = next;
        break;
      }
      case 'Authenticate': {
        if (message['baseVersion'] !== state.identity)
          return { kind: 'internal', because: 'another identity version' };
        const refused = authRefusal(message);
        if (refused !== null) return { kind: 'auth-error', because: refused };
        state.identity += 1;
        break;
      }
      case 'Mutation':
      case 'Action':
        state.requestIds.push(message['requestId'] as number);
        break;
      case 'Event':
        break;
    }
  }
  return {
    kind: 'served',
    querySet: state.querySet,
    identity: state.identity,
    requestIds: state.requestIds,
  };
}

type ClientMessage = Record<string, unknown> & { type: MessageType };

/** The frame as a client message, or why it is none. */
function clientMessage(text: string): ClientMessage | string {
  if (depthOf(text) > MAX_DEPTH) return 'nested too deep';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return 'not an object';
  const type = (json as { type?: unknown }).type;
  if (!clientMessageTypes.some((known) => known === type))
    return 'not a client message type';
  const message = json as ClientMessage;
  if (!validators[message.type](message)) return 'fails its schema';
  const argLists =
    message.type === 'ModifyQuerySet'
      ? (message['modifications'] as { args?: JSONValue[] }[]).map(
          (m) => m.args ?? [],
        )
      : message.type === 'Mutation' || message.type === 'Action'
        ? [message['args'] as JSONValue[]]
        : [];
  for (const args of argLists)
    for (const arg of args)
      try {
        jsonToConvex(arg);
      } catch {
        return 'arguments that are not Convex values';
      }
  return message;
}

/** Why an `Authenticate` frame's credential is refused, or null. */
function authRefusal(message: ClientMessage): string | null {
  switch (message['tokenType']) {
    case 'None':
      return null;
    case 'User':
      return 'the fuzzer never signs a valid token';
    default: {
      if (message['value'] !== TEST_ADMIN_KEY) return 'not the admin key';
      const attributes = (message['impersonating'] ?? message['actingAs']) as
        Record<string, unknown> | undefined;
      if (attributes === undefined) return null;
      const { tokenIdentifier, issuer, subject } = attributes;
      if (tokenIdentifier !== undefined && tokenIdentifier !== null)
        return typeof tokenIdentifier === 'string'
          ? null
          : 'a tokenIdentifier that is not a string';
      return typeof issuer === 'string' && typeof subject === 'string'
        ? null
        : 'an impersonated identity without tokenIdentifier or issuer and subject';
    }
  }
}

/** How deeply the JSON text nests, counted over its characters. */
function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return deepest;
}

/**
 * encode: a server message → its text frame.
 *
 * Timestamps become padded base64, Convex values their JSON form. A value
 * that `convexToJson` refuses (a `$`-prefixed field name, an `undefined` in
 * an array) is a bug in the layer that produced it, so it throws. Frames over
 * the chunking threshold are split by `chunkTransition`, not here.
 *
 * Transitions that go out to sessions are encoded by `encodeTransition`
 * (encode-transition.ts), which shares each result's encoding among every
 * session sent it; its frames are the very text this gives.
 */
import type * as Wire from '../../generated/types.ts';
import { unreachable } from '../lib/assert.ts';
import type {
  ServerMessage,
  StateModification,
  StateVersion,
} from './messages.ts';
import { encodeTimestamp } from './timestamp.ts';
import { encodeValue } from './values.ts';

export function encode(message: ServerMessage): string {
  return JSON.stringify(toWire(message));
}

function toWire(message: ServerMessage): Wire.ServerMessage {
  switch (message.type) {
    case 'Transition':
      return {
        ...message,
        startVersion: versionToWire(message.startVersion),
        endVersion: versionToWire(message.endVersion),
        modifications: message.modifications.map(modificationToWire),
      };
    case 'MutationResponse':
      if (message.success) {
        return {
          ...message,
          result: encodeValue(message.result),
          ts: encodeTimestamp(message.ts),
        };
      }
      // The real backend sends `ts: null` on failures; the client ignores it.
      return { ...withErrorData(message), ts: null };
    case 'ActionResponse':
      return message.success
        ? { ...message, result: encodeValue(message.result) }
        : withErrorData(message);
    case 'AuthError':
    case 'FatalError':
    case 'Ping':
      return message;
    default:
      return unreachable(message);
  }
}

function versionToWire(version: StateVersion): Wire.StateVersion {
  return {
    querySet: version.querySet,
    identity: version.identity,
    ts: encodeTimestamp(version.ts),
  };
}

function modificationToWire(
  modification: StateModification,
): Wire.StateModification {
  switch (modification.type) {
    case 'QueryUpdated':
      return { ...modification, value: encodeValue(modification.value) };
    case 'QueryFailed':
      return withErrorData(modification);
    case 'QueryRemoved':
      return modification;
    default:
      return unreachable(modification);
  }
}

/** Copies a failure, encoding its `errorData` when there is one. */
function withErrorData<T extends { errorData?: ServerValue }>(
  failure: T,
): Omit<T, 'errorData'> & { errorData?: Wire.ConvexValue } {
  const { errorData, ...rest } = failure;
  return errorData === undefined
    ? rest
    : { ...rest, errorData: encodeValue(errorData) };
}

type ServerValue = Parameters<typeof encodeValue>[0];

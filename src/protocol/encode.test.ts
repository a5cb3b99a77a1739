import { describe, expect, test } from 'vitest';
import { serverMessageValidators } from '../../generated/validators.js';
import { encode } from './encode.ts';
import type { ServerMessage } from './messages.ts';

/** Encodes, and checks the frame against the generated schema of its message. */
function encodeValid(message: ServerMessage): unknown {
  const json: unknown = JSON.parse(encode(message));
  const validate = serverMessageValidators[message.type];
  expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  return json;
}

const v0 = { querySet: 0, identity: 0, ts: 0n };
const v1 = { querySet: 1, identity: 1, ts: 0x0102030405060708n };

describe('encode() produces frames that validate against the server-message schemas', () => {
  test('a Transition: versions with base64 timestamps, values in Convex JSON', () => {
    const json = encodeValid({
      type: 'Transition',
      startVersion: v0,
      endVersion: v1,
      modifications: [
        {
          type: 'QueryUpdated',
          queryId: 0,
          value: {
            n: 5n,
            f: NaN,
            z: -0,
            b: new Uint8Array([1]).buffer,
            list: [1.5, 'x', null],
          },
          logLines: ["[LOG] 'hi'"],
          journal: null,
        },
        {
          type: 'QueryFailed',
          queryId: 1,
          errorMessage: 'boom',
          logLines: [],
          journal: 'j',
        },
        {
          type: 'QueryFailed',
          queryId: 2,
          errorMessage: 'nope',
          logLines: [],
          journal: null,
          errorData: { code: 'forbidden', limit: 3n },
        },
        { type: 'QueryRemoved', queryId: 3 },
      ],
      clientClockSkew: -4,
      serverTs: 1.7639e18,
    });
    expect(json).toEqual({
      type: 'Transition',
      startVersion: { querySet: 0, identity: 0, ts: 'AAAAAAAAAAA=' },
      endVersion: { querySet: 1, identity: 1, ts: 'CAcGBQQDAgE=' },
      modifications: [
        {
          type: 'QueryUpdated',
          queryId: 0,
          value: {
            b: { $bytes: 'AQ==' },
            f: { $float: 'AAAAAAAA+H8=' },
            list: [1.5, 'x', null],
            n: { $integer: 'BQAAAAAAAAA=' },
            z: { $float: 'AAAAAAAAAIA=' },
          },
          logLines: ["[LOG] 'hi'"],
          journal: null,
        },
        {
          type: 'QueryFailed',
          queryId: 1,
          errorMessage: 'boom',
          logLines: [],
          journal: 'j',
        },
        {
          type: 'QueryFailed',
          queryId: 2,
          errorMessage: 'nope',
          logLines: [],
          journal: null,
          errorData: { code: 'forbidden', limit: { $integer: 'AwAAAAAAAAA=' } },
        },
        { type: 'QueryRemoved', queryId: 3 },
      ],
      clientClockSkew: -4,
      serverTs: 1.7639e18,
    });
  });

  test('an empty Transition without the optional clock fields', () => {
    expect(
      encodeValid({
        type: 'Transition',
        startVersion: v1,
        endVersion: v1,
        modifications: [],
      }),
    ).toEqual({
      type: 'Transition',
      startVersion: { querySet: 1, identity: 1, ts: 'CAcGBQQDAgE=' },
      endVersion: { querySet: 1, identity: 1, ts: 'CAcGBQQDAgE=' },
      modifications: [],
    });
  });

  test('a successful MutationResponse carries its commit ts', () => {
    expect(
      encodeValid({
        type: 'MutationResponse',
        requestId: 4,
        success: true,
        result: { id: 'abc', n: 1n },
        ts: 500n,
        logLines: [],
      }),
    ).toEqual({
      type: 'MutationResponse',
      requestId: 4,
      success: true,
      result: { id: 'abc', n: { $integer: 'AQAAAAAAAAA=' } },
      ts: '9AEAAAAAAAA=',
      logLines: [],
    });
  });

  test('a failed MutationResponse has ts null, and errorData only when there is some', () => {
    expect(
      encodeValid({
        type: 'MutationResponse',
        requestId: 5,
        success: false,
        result: 'x',
        logLines: [],
      }),
    ).toEqual({
      type: 'MutationResponse',
      requestId: 5,
      success: false,
      result: 'x',
      logLines: [],
      ts: null,
    });
    expect(
      encodeValid({
        type: 'MutationResponse',
        requestId: 6,
        success: false,
        result: 'x',
        logLines: ['[ERROR] bad'],
        errorData: [1n],
      }),
    ).toMatchObject({ errorData: [{ $integer: 'AQAAAAAAAAA=' }], ts: null });
  });

  test('ActionResponses, AuthError, FatalError and Ping', () => {
    expect(
      encodeValid({
        type: 'ActionResponse',
        requestId: 7,
        success: true,
        result: null,
        logLines: [],
      }),
    ).toEqual({
      type: 'ActionResponse',
      requestId: 7,
      success: true,
      result: null,
      logLines: [],
    });
    expect(
      encodeValid({
        type: 'ActionResponse',
        requestId: 8,
        success: false,
        result: 'Uncaught Error',
        logLines: [],
        errorData: 'why',
      }),
    ).toEqual({
      type: 'ActionResponse',
      requestId: 8,
      success: false,
      result: 'Uncaught Error',
      logLines: [],
      errorData: 'why',
    });
    encodeValid({
      type: 'AuthError',
      error: 'expired',
      baseVersion: null,
      authUpdateAttempted: false,
    });
    encodeValid({
      type: 'AuthError',
      error: 'bad token',
      baseVersion: 2,
      authUpdateAttempted: true,
    });
    encodeValid({ type: 'FatalError', error: 'BaseVersionMismatch' });
    expect(encode({ type: 'Ping' })).toBe('{"type":"Ping"}');
  });
});

describe('encode() refuses values that are not Convex values', () => {
  test('a $-prefixed field name in a result is a bug upstream, so it throws', () => {
    expect(() =>
      encode({
        type: 'ActionResponse',
        requestId: 1,
        success: true,
        result: { $bad: 1 },
        logLines: [],
      }),
    ).toThrow(/starts with a '\$'/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { clientMessageTypes } from '../../generated/types.ts';
import { decode } from './decode.ts';

/** The spec's examples of one message, as generated/schemas carries them. */
function examplesOf(type: string): unknown[] {
  const url = new URL(`../../generated/schemas/${type}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { examples: unknown[] })
    .examples;
}

function rejection(frame: unknown): string {
  const result = decode(
    typeof frame === 'string' ? frame : JSON.stringify(frame),
  );
  if (result.success)
    throw new Error(`expected a rejection of ${JSON.stringify(frame)}`);
  return result.error.message;
}

const sessionId = '0c5a9b2e-3f44-4a4e-9d3e-6c2f1b7a8e11';
const mutation = (args: unknown) => ({
  type: 'Mutation',
  requestId: 1,
  udfPath: 'm:f',
  args,
});

describe('decode() accepts every example of the spec', () => {
  for (const type of clientMessageTypes) {
    test(`${type}`, () => {
      const examples = examplesOf(type);
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        const result = decode(JSON.stringify(example));
        expect(
          result.success ? result.message.type : result.error.message,
        ).toBe(type);
      }
    });
  }
});

describe('decode() turns the wire forms into values', () => {
  test('timestamps become bigints, and an absent maxObservedTimestamp stays absent', () => {
    const connect = {
      type: 'Connect',
      sessionId,
      connectionCount: 0,
      lastCloseReason: null,
    };
    const first = decode(JSON.stringify({ ...connect, clientTs: 1 }));
    expect(first).toEqual({
      success: true,
      message: { ...connect, clientTs: 1 },
    });
    const later = decode(
      JSON.stringify({
        ...connect,
        clientTs: 1,
        maxObservedTimestamp: '9AEAAAAAAAA=',
      }),
    );
    expect(later.success && later.message).toEqual({
      ...connect,
      clientTs: 1,
      maxObservedTimestamp: 500n,
    });
  });

  test('arguments become Convex values: bigint, ArrayBuffer, special floats', () => {
    const result = decode(
      JSON.stringify(
        mutation([
          {
            n: { $integer: 'BQAAAAAAAAA=' },
            b: { $bytes: 'AQID' },
            nan: { $float: 'AAAAAAAA+H8=' },
            nz: { $float: 'AAAAAAAAAIA=' },
            list: [1, 'x', null, true, { deep: { $integer: '//////////8=' } }],
          },
        ]),
      ),
    );
    if (!result.success || result.message.type !== 'Mutation')
      throw new Error('expected a Mutation');
    const [args] = result.message.args as [Record<string, unknown>];
    expect(args['n']).toBe(5n);
    expect([...new Uint8Array(args['b'] as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(args['nan']).toBeNaN();
    expect(Object.is(args['nz'], -0)).toBe(true);
    expect(args['list']).toEqual([1, 'x', null, true, { deep: -1n }]);
  });

  test('Add arguments inside ModifyQuerySet are decoded too; Remove passes through', () => {
    const result = decode(
      JSON.stringify({
        type: 'ModifyQuerySet',
        baseVersion: 0,
        newVersion: 1,
        modifications: [
          {
            type: 'Add',
            queryId: 0,
            udfPath: 'a:b',
            args: [{ n: { $integer: 'AQAAAAAAAAA=' } }],
            journal: null,
          },
          { type: 'Remove', queryId: 7 },
        ],
      }),
    );
    expect(result.success && result.message).toEqual({
      type: 'ModifyQuerySet',
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        {
          type: 'Add',
          queryId: 0,
          udfPath: 'a:b',
          args: [{ n: 1n }],
          journal: null,
        },
        { type: 'Remove', queryId: 7 },
      ],
    });
  });
});

describe('decode() rejects bad frames, naming the message and the field', () => {
  test('a frame that is not JSON', () => {
    expect(rejection('{"type":')).toMatch(
      /^WSMessageInvalidJson: the frame is not JSON/,
    );
  });

  test('JSON that is not a message object', () => {
    expect(rejection('[1,2]')).toBe(
      'InvalidMessage: a message must be a JSON object',
    );
    expect(rejection({ requestId: 1 })).toBe(
      'InvalidMessage: type: is required and must be a string',
    );
  });

  test('an unknown message type', () => {
    expect(rejection({ type: 'Subscribe' })).toBe(
      'InvalidMessage: type: unknown message type "Subscribe"',
    );
  });

  test('a missing required field', () => {
    expect(rejection({ type: 'Mutation', udfPath: 'm:f', args: [{}] })).toBe(
      'InvalidMessage: Mutation requestId: is required',
    );
    expect(
      rejection({
        type: 'Connect',
        sessionId,
        connectionCount: 0,
        clientTs: 1,
      }),
    ).toBe('InvalidMessage: Connect lastCloseReason: is required');
  });

  test('a field of the wrong type', () => {
    expect(rejection({ ...mutation([{}]), requestId: '1' })).toBe(
      'InvalidMessage: Mutation requestId: must be integer',
    );
    expect(rejection({ ...mutation([{}]), requestId: -1 })).toBe(
      'InvalidMessage: Mutation requestId: must be >= 0',
    );
    expect(
      rejection({
        type: 'ModifyQuerySet',
        baseVersion: 0,
        newVersion: 1,
        modifications: {},
      }),
    ).toBe('InvalidMessage: ModifyQuerySet modifications: must be array');
  });

  test('an unknown modification type or token type', () => {
    expect(
      rejection({
        type: 'ModifyQuerySet',
        baseVersion: 0,
        newVersion: 1,
        modifications: [{ type: 'Replace', queryId: 1 }],
      }),
    ).toBe(
      'InvalidMessage: ModifyQuerySet modifications[0].type: unknown type "Replace"',
    );
    expect(
      rejection({
        type: 'Authenticate',
        tokenType: 'Bearer',
        value: 'x',
        baseVersion: 0,
      }),
    ).toBe(
      'InvalidMessage: Authenticate tokenType: unknown tokenType "Bearer"',
    );
    expect(
      rejection({ type: 'Authenticate', tokenType: 'User', baseVersion: 0 }),
    ).toBe('InvalidMessage: Authenticate value: is required');
  });

  test('unpadded or short base64 in timestamps and encoded values', () => {
    const connect = {
      type: 'Connect',
      sessionId,
      connectionCount: 1,
      lastCloseReason: null,
      clientTs: 1,
    };
    expect(rejection({ ...connect, maxObservedTimestamp: 'AAAAAAAAAAA' })).toBe(
      'InvalidMessage: Connect maxObservedTimestamp: must be the padded standard base64 of 8 bytes',
    );
    expect(rejection(mutation([{ n: { $integer: 'BQAAAAAA' } }]))).toBe(
      'InvalidMessage: Mutation args[0].n.$integer: must be the padded standard base64 of 8 bytes',
    );
    expect(rejection(mutation([{ f: { $float: 'AAAAAAAA+H8' } }]))).toBe(
      'InvalidMessage: Mutation args[0].f.$float: must be the padded standard base64 of 8 bytes',
    );
    expect(rejection(mutation([{ b: { $bytes: 'AQI' } }]))).toBe(
      'InvalidMessage: Mutation args[0].b.$bytes: must be padded standard base64',
    );
  });

  test('$-prefixed field names in values, at any depth', () => {
    expect(rejection(mutation([{ $where: 1 }]))).toBe(
      "InvalidMessage: Mutation args[0].$where: Field name $where starts with a '$', which is reserved.",
    );
    expect(rejection(mutation([{ a: [{ b: { $set: [] } }] }]))).toBe(
      "InvalidMessage: Mutation args[0].a[0].b.$set: Field name $set starts with a '$', which is reserved.",
    );
    // A reserved key with company is not an encoded value either.
    expect(
      rejection(mutation([{ n: { $integer: 'BQAAAAAAAAA=', extra: 1 } }])),
    ).toMatch(
      /^InvalidMessage: Mutation args\[0\]\.n\.\$integer: Field name \$integer starts with a '\$'/,
    );
  });

  test('field names that are too long or not printable ASCII', () => {
    expect(rejection(mutation([{ ['x'.repeat(1025)]: 1 }]))).toMatch(
      /must be at most 1024 printable ASCII/,
    );
    expect(rejection(mutation([{ café: 1 }]))).toMatch(
      /args\[0\]\["café"\]: Field name "café"/,
    );
  });

  test('a $float that JSON could carry as a number (convex/values refuses it)', () => {
    expect(rejection(mutation([{ f: { $float: 'AAAAAAAA+D8=' } }]))).toBe(
      'InvalidMessage: Mutation args[0]: Float 1.5 should be encoded as a number',
    );
  });

  test('arguments nested tens of thousands of levels deep (they overflowed the validator and killed the server)', () => {
    const deep = (levels: number) =>
      `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    expect(
      rejection(
        `{"type":"Mutation","requestId":0,"udfPath":"m:f","args":[${deep(20_000)}]}`,
      ),
    ).toBe('InvalidMessage: the frame nests deeper than 128 levels');
    expect(
      decode(
        `{"type":"Mutation","requestId":0,"udfPath":"m:f","args":[${deep(100)}]}`,
      ).success,
    ).toBe(true);
  });

  test('the error is the FatalError the client gets before the close', () => {
    const result = decode('{"type":"Ping"}');
    if (result.success) throw new Error('Ping is a server message');
    expect(result.error.toFatalError()).toEqual({
      type: 'FatalError',
      error: 'InvalidMessage: type: unknown message type "Ping"',
    });
  });
});

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { serverMessageValidators } from '../../generated/validators.js';
import { encode } from './encode.ts';
import { encodeTransition } from './encode-transition.ts';
import type {
  StateModification,
  StateVersion,
  Transition,
} from './messages.ts';
import type { Value } from './values.ts';

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const float64 = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e21, 5e-324),
);
/** Any UTF-16, lone surrogates, quotes, backslashes and control characters included. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('"\\\n\t\u0000\u001f\u2028', '\ud800', 'ünïcødé ✓ 🎉', ''),
);
const bytes = fc
  .uint8Array({ maxLength: 12 })
  .map((array) =>
    array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength),
  );
/** Convex field names: printable ASCII, not starting with `$`. */
const fieldName = fc
  .string({
    unit: fc
      .integer({ min: 0x20, max: 0x7e })
      .map((c) => String.fromCharCode(c)),
    maxLength: 6,
  })
  .filter((name) => !name.startsWith('$') && name !== '__proto__');

const { value: convexValue } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    int64,
    float64,
    fc.boolean(),
    text,
    bytes,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 4 }),
  ),
}));

/** A result: a short one is written as text, a long one (a page of them) copied from its kept bytes. */
const result = fc.oneof(
  convexValue,
  fc.array(convexValue, { minLength: 40, maxLength: 60 }),
);
const queryId = fc.nat({ max: 1000 });
const logLines = fc.array(text, { maxLength: 3 });
const journal = fc.option(text, { nil: null });

const modification: fc.Arbitrary<StateModification> = fc.oneof(
  fc.record({
    type: fc.constant('QueryUpdated' as const),
    queryId,
    value: result,
    logLines,
    journal,
  }),
  fc.record(
    {
      type: fc.constant('QueryFailed' as const),
      queryId,
      errorMessage: text,
      logLines,
      journal,
      errorData: result,
    },
    {
      requiredKeys: ['type', 'queryId', 'errorMessage', 'logLines', 'journal'],
    },
  ),
  fc.record({ type: fc.constant('QueryRemoved' as const), queryId }),
);

const version: fc.Arbitrary<StateVersion> = fc.record({
  querySet: fc.nat(),
  identity: fc.nat(),
  ts: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
});

const transition: fc.Arbitrary<Transition> = fc.record(
  {
    type: fc.constant('Transition' as const),
    startVersion: version,
    endVersion: version,
    modifications: fc.array(modification, { maxLength: 5 }),
    clientClockSkew: fc.option(fc.integer(), { nil: null }),
    serverTs: fc.option(fc.double({ min: 0, max: 2e18, noNaN: true }), {
      nil: null,
    }),
  },
  { requiredKeys: ['type', 'startVersion', 'endVersion', 'modifications'] },
);

const asText = (frame: Uint8Array) => Buffer.from(frame).toString('utf8');

describe('encodeTransition() gives the frame encode() gives', () => {
  test('for any Transition: the same JSON, the same bytes, valid against the schema', () => {
    fc.assert(
      fc.property(transition, (message) => {
        const reference = encode(message);
        const frame = asText(encodeTransition(message));
        // What the client sees is the parsed frame; the builder also keeps
        // the reference's field order, so the very bytes agree.
        expect(JSON.parse(frame)).toEqual(JSON.parse(reference));
        expect(frame).toBe(reference);
        expect(
          serverMessageValidators.Transition(JSON.parse(frame) as unknown),
        ).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('a shared result is copied into each session’s frame, around that session’s own versions and query id', () => {
    const value = Array.from({ length: 20 }, (_, i) => ({
      _id: `doc${i}`,
      body: 'a "quoted" line\n',
      count: BigInt(i),
    }));
    const lines = ["[LOG] 'ok'"];
    const forSession = (queryId: number, querySet: number): Transition => ({
      type: 'Transition',
      startVersion: { querySet, identity: 0, ts: 5n },
      endVersion: { querySet, identity: 0, ts: 6n },
      modifications: [
        {
          type: 'QueryUpdated',
          queryId,
          value,
          logLines: lines,
          journal: null,
        },
      ],
      clientClockSkew: null,
      serverTs: 1.5e18,
    });
    const first = forSession(0, 1);
    const second = forSession(7, 3);
    expect(asText(encodeTransition(first))).toBe(encode(first));
    expect(asText(encodeTransition(second))).toBe(encode(second));
    expect(JSON.parse(asText(encodeTransition(second)))).toMatchObject({
      startVersion: { querySet: 3 },
      modifications: [
        {
          queryId: 7,
          value: expect.arrayContaining([
            {
              _id: 'doc0',
              body: 'a "quoted" line\n',
              count: { $integer: 'AAAAAAAAAAA=' },
            },
          ]) as unknown,
        },
      ],
    });
  });

  test('a value Convex cannot encode is refused, as encode() refuses it', () => {
    const broken: Transition = {
      type: 'Transition',
      startVersion: { querySet: 0, identity: 0, ts: 0n },
      endVersion: { querySet: 1, identity: 0, ts: 1n },
      modifications: [
        {
          type: 'QueryUpdated',
          queryId: 0,
          value: { $reserved: 1 },
          logLines: [],
          journal: null,
        },
      ],
    };
    expect(() => encode(broken)).toThrow();
    expect(() => encodeTransition(broken)).toThrow();
  });
});

import { v } from 'convex/values';
import { describe, expect, test } from 'vitest';
import { encodeDocumentId } from '../store/document-id.ts';
import {
  type ValidatorJson,
  showValidator,
  validationError,
} from './validator.ts';

/** The validator JSON convex/server exports for a `v.…` validator (its internal `json`). */
function json(validator: unknown): ValidatorJson {
  return (validator as { json: ValidatorJson }).json;
}

const tables = {
  tableNumber: (name: string) =>
    name === 'users' ? 10_001 : name === 'posts' ? 10_002 : null,
};
const userId = encodeDocumentId(10_001, new Uint8Array(16).fill(1));
const postId = encodeDocumentId(10_002, new Uint8Array(16).fill(2));
const check = (validator: unknown, value: unknown) =>
  validationError(json(validator), value as never, tables);

describe('validationError()', () => {
  test('accepts values of each kind', () => {
    expect(check(v.string(), 'x')).toBeNull();
    expect(check(v.float64(), 1.5)).toBeNull();
    expect(check(v.int64(), 5n)).toBeNull();
    expect(check(v.boolean(), false)).toBeNull();
    expect(check(v.null(), null)).toBeNull();
    expect(check(v.bytes(), new ArrayBuffer(2))).toBeNull();
    expect(check(v.any(), { anything: [1] })).toBeNull();
    expect(check(v.literal(3n), 3n)).toBeNull();
    expect(check(v.literal('a'), 'a')).toBeNull();
    expect(check(v.array(v.number()), [1, 2])).toBeNull();
    expect(check(v.union(v.string(), v.null()), null)).toBeNull();
    expect(check(v.record(v.string(), v.number()), { a: 1, b: 2 })).toBeNull();
    expect(
      check(v.object({ a: v.string(), b: v.optional(v.number()) }), { a: 'x' }),
    ).toBeNull();
    expect(check(v.id('users'), userId)).toBeNull();
  });

  test('v.id checks the table of the id', () => {
    expect(check(v.id('users'), postId)).toBe(
      `Value does not match validator.\nPath: .\nValue: "${postId}"\nValidator: v.id("users")`,
    );
    expect(check(v.id('users'), 'not an id')).toMatch(
      /^Value does not match validator/,
    );
    expect(check(v.id('missing'), userId)).toMatch(
      /^Value does not match validator/,
    );
  });

  test("says what is wrong in Convex's words, with the path", () => {
    expect(check(v.object({ title: v.string() }), { prompt: 'x' })).toBe(
      'Object is missing the required field `title`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: {prompt: "x"}\nValidator: v.object({title: v.string()})',
    );
    expect(
      check(v.object({ name: v.string() }), { name: 'a', nick: 'b' }),
    ).toBe(
      'Object contains extra field `nick` that is not in the validator.\n\nObject: {name: "a", nick: "b"}\nValidator: v.object({name: v.string()})',
    );
    expect(
      check(v.object({ items: v.array(v.object({ n: v.number() })) }), {
        items: [{ n: 1 }, { n: 'x' }],
      }),
    ).toBe(
      'Value does not match validator.\nPath: .items[1].n\nValue: "x"\nValidator: v.float64()',
    );
    expect(check(v.int64(), 5)).toBe(
      'Value does not match validator.\nPath: .\nValue: 5.0\nValidator: v.int64()',
    );
    expect(check(v.literal(3n), 3)).toMatch(/Validator: v.literal\(3n\)/);
  });

  test('showValidator() writes the v.… code', () => {
    expect(
      showValidator(
        json(
          v.object({
            a: v.optional(v.union(v.literal('x'), v.null())),
            r: v.record(v.id('users'), v.bytes()),
          }),
        ),
      ),
    ).toBe(
      'v.object({a: v.optional(v.union(v.literal("x"), v.null())), r: v.record(v.id("users"), v.bytes())})',
    );
  });
});

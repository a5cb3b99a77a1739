import { expect, test } from 'vitest';
import { type ValidatorJson, validatorText } from './validator-text.ts';

test('an argument validator reads as a Convex developer writes its type', () => {
  const args: ValidatorJson = {
    type: 'object',
    value: {
      list: { fieldType: { type: 'string' }, optional: false },
      author: { fieldType: { type: 'id', tableName: 'users' }, optional: true },
      tags: {
        fieldType: { type: 'array', value: { type: 'string' } },
        optional: false,
      },
      mode: {
        fieldType: {
          type: 'union',
          value: [
            { type: 'literal', value: 'fast' },
            { type: 'literal', value: 'safe' },
            { type: 'null' },
          ],
        },
        optional: false,
      },
      extra: {
        fieldType: {
          type: 'record',
          keys: { type: 'string' },
          values: { fieldType: { type: 'any' }, optional: false },
        },
        optional: true,
      },
    },
  };
  expect(validatorText(args)).toBe(
    '{ list: string; author?: Id<"users">; tags: Array<string>; mode: "fast" | "safe" | null; extra?: Record<string, any> }',
  );
  expect(validatorText({ type: 'object', value: {} })).toBe('{}');
  expect(validatorText({ type: 'bytes' })).toBe('ArrayBuffer');
});

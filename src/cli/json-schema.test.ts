import { expect, test } from 'vitest';
import { referencedDefinitions, toJsonSchema } from './json-schema.ts';

test('toJsonSchema() rewrites component refs and the AsyncAPI discriminator for ajv', () => {
  expect(
    toJsonSchema(
      {
        type: 'object',
        oneOf: [
          { $ref: '#/components/schemas/A' },
          { $ref: '#/components/schemas/B' },
        ],
        discriminator: 'type',
      },
      'X',
    ),
  ).toEqual({
    type: 'object',
    oneOf: [{ $ref: '#/definitions/A' }, { $ref: '#/definitions/B' }],
    discriminator: { propertyName: 'type' },
  });
});

test('toJsonSchema() refuses keywords it would otherwise drop silently', () => {
  expect(() => toJsonSchema({ type: 'string', format: 'uuid' }, 'Id')).toThrow(
    "Id.format: the generator does not support the keyword 'format'",
  );
  expect(() => toJsonSchema({ $ref: 'other.yaml#/X' }, 'Y')).toThrow(
    /Y.\$ref: only/,
  );
});

test('referencedDefinitions() follows refs transitively and survives recursion', () => {
  const definitions = {
    Value: {
      anyOf: [{ type: 'string' as const }, { $ref: '#/definitions/Obj' }],
    },
    Obj: {
      type: 'object' as const,
      additionalProperties: { $ref: '#/definitions/Value' },
    },
    Unused: { type: 'null' as const },
  };
  expect(
    referencedDefinitions({ $ref: '#/definitions/Value' }, definitions).sort(),
  ).toEqual(['Obj', 'Value']);
  expect(() =>
    referencedDefinitions({ $ref: '#/definitions/Nope' }, definitions),
  ).toThrow('unresolved reference #/definitions/Nope');
});

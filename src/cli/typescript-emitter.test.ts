import { expect, test } from 'vitest';
import { docComment, emitTypeScript } from './typescript-emitter.ts';

test('emitTypeScript() writes interfaces, unions and the message lists', () => {
  const source = emitTypeScript(
    {
      title: 't',
      version: '1',
      definitions: {
        Count: { description: 'How many.', type: 'integer' },
        Hello: {
          type: 'object',
          required: ['type', 'count'],
          properties: {
            type: { const: 'Hello' },
            count: {
              $ref: '#/definitions/Count',
              description: 'Never negative.',
            },
            note: { type: ['string', 'null'] },
          },
        },
        Bag: {
          type: 'object',
          additionalProperties: { $ref: '#/definitions/Count' },
        },
        Bye: {
          type: 'object',
          required: ['type'],
          properties: { type: { const: 'Bye' } },
        },
      },
      clientMessages: [
        {
          name: 'Hello',
          summary: 'Client → server. Hi.',
          description: 'Says hi.',
          payload: 'Hello',
          examples: [],
        },
      ],
      serverMessages: [
        {
          name: 'Bye',
          summary: 'Server → client. Bye.',
          description: 'Says bye.',
          payload: 'Bye',
          examples: [],
        },
      ],
    },
    '// header\n',
  );
  expect(source).toContain(
    '/**\n * How many.\n */\nexport type Count = number;\n',
  );
  expect(source).toContain(
    [
      '/**',
      ' * Client → server. Hi.',
      ' *',
      ' * Says hi.',
      ' */',
      'export interface Hello {',
      '  type: "Hello";',
      '  /**',
      '   * Never negative.',
      '   */',
      '  count: Count;',
      '  note?: string | null;',
      '}',
    ].join('\n'),
  );
  expect(source).toContain(
    'export interface Bag {\n  [key: string]: Count;\n}',
  );
  expect(source).toContain('export type ClientMessage =\n  | Hello;');
  expect(source).toContain('export type ServerMessage =\n  | Bye;');
  expect(source).toContain(
    "export const clientMessageTypes = ['Hello'] as const;",
  );
});

test('docComment() cannot be closed early by the prose', () => {
  expect(docComment('a */ b', '')).toBe('/**\n * a *\\/ b\n */\n');
  expect(docComment('   ', '')).toBe('');
});

import { expect, test } from 'vitest';
import type { JsonSchema } from './json-schema.ts';
import { definitionAnchor, schemaHtml, summaryHtml } from './schema-html.ts';

const definitions: Record<string, JsonSchema> = {
  U32: {
    description: 'An unsigned 32-bit integer.',
    type: 'integer',
    minimum: 0,
    maximum: 4294967295,
  },
  SessionId: {
    title: 'a UUID',
    type: 'string',
    pattern: '^[0-9a-f-]{36}$',
  },
};

test('a scalar is said in one line: its type, title and constraints', () => {
  expect(summaryHtml(definitions['U32'] ?? {})).toBe(
    'integer, from 0 to 4294967295',
  );
  expect(summaryHtml(definitions['SessionId'] ?? {})).toBe(
    'string (a UUID), matching <code>^[0-9a-f-]{36}$</code>',
  );
  expect(summaryHtml({ type: ['string', 'null'] })).toBe('string or null');
  expect(summaryHtml({ const: 'Connect' })).toBe(
    '<code>&quot;Connect&quot;</code>',
  );
  expect(summaryHtml({})).toBe('any JSON value');
});

test('a $ref is a link to the definition’s section', () => {
  expect(definitionAnchor('U32')).toBe('schema-U32');
  expect(summaryHtml({ $ref: '#/definitions/U32' })).toBe(
    '<a href="#schema-U32"><code>U32</code></a>',
  );
  expect(
    summaryHtml({ type: 'array', items: { $ref: '#/definitions/U32' } }),
  ).toBe('array of <a href="#schema-U32"><code>U32</code></a>');
});

test('an object is a table of its fields: type, presence and description', () => {
  const html = schemaHtml(
    {
      type: 'object',
      required: ['type', 'count'],
      additionalProperties: false,
      properties: {
        type: { const: 'Hello' },
        count: { $ref: '#/definitions/U32' },
        note: { type: 'string', description: 'Free text, `<b>` shown as is.' },
      },
    },
    definitions,
  );
  expect(html).toContain('<p class="type">object, no other fields</p>');
  expect(html).toContain(
    '<tr><td><code>type</code></td><td><code>&quot;Hello&quot;</code></td><td class="required">required</td><td></td></tr>',
  );
  // A field that only references a definition is described by that definition.
  expect(html).toContain(
    '<tr><td><code>count</code></td><td><a href="#schema-U32"><code>U32</code></a></td><td class="required">required</td><td><p>An unsigned 32-bit integer.</p></td></tr>',
  );
  expect(html).toContain(
    '<tr><td><code>note</code></td><td>string</td><td class="optional">optional</td><td><p>Free text, <code>&lt;b&gt;</code> shown as is.</p></td></tr>',
  );
});

test('a union lists its variants, each with the description it has or references', () => {
  const html = schemaHtml(
    {
      type: 'object',
      discriminator: { propertyName: 'tokenType' },
      oneOf: [
        { $ref: '#/definitions/U32' },
        { type: 'null', description: 'Nothing.' },
      ],
    },
    definitions,
  );
  expect(html).toContain(
    '<p class="type">object, told apart by <code>tokenType</code>, exactly one of:</p>',
  );
  expect(html).toContain(
    '<li><a href="#schema-U32"><code>U32</code></a>\n<p>An unsigned 32-bit integer.</p></li>',
  );
  expect(html).toContain('<li>null\n<p>Nothing.</p></li>');
});

test('what cannot be said in one line is shown below, nested', () => {
  const html = schemaHtml(
    {
      type: 'array',
      items: {
        type: 'object',
        properties: { at: { $ref: '#/definitions/U32' } },
      },
    },
    definitions,
  );
  expect(html).toContain('<p class="type">array of the items below</p>');
  expect(html).toContain('<div class="nested"><p class="label">each item:</p>');
  expect(html).toContain('<td><code>at</code></td>');

  // A map: its field names constrained, each of its values a U32.
  expect(
    summaryHtml({
      type: 'object',
      propertyNames: { pattern: '^[^$]' },
      additionalProperties: { $ref: '#/definitions/U32' },
    }),
  ).toBe(
    'object, field names: string, matching <code>^[^$]</code>, every field: <a href="#schema-U32"><code>U32</code></a>',
  );
});

/**
 * A JSON Schema of the protocol shown readably on the protocol page: what a
 * value is, in words (a type, a literal, a link to a definition), with its
 * constraints; an object's fields as a table (type, required or optional,
 * description); a union's variants as a list.
 *
 * It reads the subset of `json-schema.ts` and shows every keyword of it but
 * `$comment`, `$schema`, `$id` and `definitions`, which the protocol's
 * component schemas do not use. A schema's own description is not shown
 * here: the caller puts it where it reads best (a field's in its row, a
 * definition's above it). Not a JSON Schema validator or viewer in general.
 * Build time only.
 */
import { type JsonSchema, refName } from './json-schema.ts';
import { escapeHtml, proseHtml } from './prose-html.ts';

/** The id of a definition's section on the page: where a `$ref` links to. */
export function definitionAnchor(name: string): string {
  return `schema-${name}`;
}

/**
 * The schema as a block: a line saying what the value is, then its fields
 * and variants. A field or variant that only references a definition is
 * described by that definition's description, from `definitions`.
 */
export function schemaHtml(
  schema: JsonSchema,
  definitions: Record<string, JsonSchema>,
): string {
  const parts = [`<p class="type">${summaryHtml(schema)}</p>`];
  if (schema.properties) parts.push(fieldsHtml(schema, definitions));
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    const items = variants.map(
      (variant) => `<li>${variantHtml(variant, definitions)}</li>`,
    );
    parts.push(`<ul class="variants">\n${items.join('\n')}\n</ul>`);
  }
  if (schema.items && !isSimple(schema.items)) {
    parts.push(nestedHtml('each item', schema.items, definitions));
  }
  const others = schema.additionalProperties;
  if (typeof others === 'object' && !isSimple(others)) {
    parts.push(nestedHtml('each other field', others, definitions));
  }
  return `<div class="schema">\n${parts.join('\n')}\n</div>`;
}

/** One line: what the value is, then its constraints, comma-separated, then whether its variants follow. */
export function summaryHtml(schema: JsonSchema): string {
  const title =
    schema.title === undefined ? '' : ` (${escapeHtml(schema.title)})`;
  const words = [kindHtml(schema) + title];
  if (schema.discriminator) {
    words.push(
      `told apart by <code>${escapeHtml(schema.discriminator.propertyName)}</code>`,
    );
  }
  if (schema.pattern !== undefined) {
    words.push(`matching <code>${escapeHtml(schema.pattern)}</code>`);
  }
  const range = rangeWords(schema.minimum, schema.maximum, '');
  if (range) words.push(range);
  const length = rangeWords(schema.minItems, schema.maxItems, ' items');
  if (length) words.push(length);
  if (schema.propertyNames) {
    words.push(
      `field names: ${summaryHtml({ type: 'string', ...schema.propertyNames })}`,
    );
  }
  const others = othersWords(schema);
  if (others) words.push(others);
  for (const example of schema.examples ?? []) {
    words.push(`e.g. ${literalHtml(example)}`);
  }
  if (schema.oneOf) words.push('exactly one of:');
  if (schema.anyOf) words.push('at least one of:');
  return words.filter((word) => word !== '').join(', ');
}

function kindHtml(schema: JsonSchema): string {
  const ref = refName(schema);
  if (ref !== undefined) {
    return `<a href="#${escapeHtml(definitionAnchor(ref))}"><code>${escapeHtml(ref)}</code></a>`;
  }
  if ('const' in schema) return literalHtml(schema.const);
  if (schema.enum) return `one of ${schema.enum.map(literalHtml).join(', ')}`;
  const types =
    schema.type === undefined
      ? []
      : Array.isArray(schema.type)
        ? schema.type
        : [schema.type];
  const kinds = types.map((type) => {
    if (type !== 'array' || !schema.items) return type;
    return isSimple(schema.items)
      ? `array of ${summaryHtml(schema.items)}`
      : 'array of the items below';
  });
  if (kinds.length > 0) return kinds.join(' or ');
  return schema.oneOf || schema.anyOf ? '' : 'any JSON value';
}

function othersWords(schema: JsonSchema): string | undefined {
  const others = schema.additionalProperties;
  const hasFields = schema.properties !== undefined;
  if (others === undefined) return undefined;
  if (others === false) return 'no other fields';
  if (others === true) return hasFields ? 'other fields allowed' : 'any fields';
  const label = hasFields ? 'other fields' : 'every field';
  return isSimple(others)
    ? `${label}: ${summaryHtml(others)}`
    : `${label}: as below`;
}

function rangeWords(
  min: number | undefined,
  max: number | undefined,
  unit: string,
): string | undefined {
  if (min !== undefined && max !== undefined)
    return `from ${min} to ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  return undefined;
}

function fieldsHtml(
  schema: JsonSchema,
  definitions: Record<string, JsonSchema>,
): string {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, field]) => {
    const prose = describedBy(field, definitions);
    const type = isSimple(field)
      ? summaryHtml(field)
      : schemaHtml(field, definitions);
    const presence = required.has(name)
      ? '<td class="required">required</td>'
      : '<td class="optional">optional</td>';
    return `<tr><td><code>${escapeHtml(name)}</code></td><td>${type}</td>${presence}<td>${proseHtml(prose)}</td></tr>`;
  });
  return [
    '<table class="fields">',
    '<thead><tr><th>Field</th><th>Type</th><th>Presence</th><th>Description</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
  ].join('\n');
}

/** A variant of a union; one that only references a definition borrows its description. */
function variantHtml(
  variant: JsonSchema,
  definitions: Record<string, JsonSchema>,
): string {
  const shown = isSimple(variant)
    ? summaryHtml(variant)
    : schemaHtml(variant, definitions);
  const prose = describedBy(variant, definitions);
  return prose === '' ? shown : `${shown}\n${proseHtml(prose)}`;
}

/** Its own description, else that of the definition it references, else nothing. */
function describedBy(
  schema: JsonSchema,
  definitions: Record<string, JsonSchema>,
): string {
  const ref = refName(schema);
  return (
    schema.description ??
    (ref === undefined ? undefined : definitions[ref]?.description) ??
    ''
  );
}

function nestedHtml(
  label: string,
  schema: JsonSchema,
  definitions: Record<string, JsonSchema>,
): string {
  return `<div class="nested"><p class="label">${label}:</p>\n${schemaHtml(schema, definitions)}\n</div>`;
}

/** Said in one line: no fields, no variants, and items and other fields said in one line too. */
function isSimple(schema: JsonSchema): boolean {
  if (schema.properties || schema.oneOf || schema.anyOf) return false;
  if (schema.items && !isSimple(schema.items)) return false;
  const others = schema.additionalProperties;
  return typeof others !== 'object' || isSimple(others);
}

function literalHtml(value: unknown): string {
  return `<code>${escapeHtml(JSON.stringify(value) ?? 'undefined')}</code>`;
}

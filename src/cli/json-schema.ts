/**
 * The subset of JSON Schema the protocol document uses, and the conversion of
 * AsyncAPI schema objects into JSON Schema draft-07 as ajv reads it.
 *
 * The conversion is strict on purpose: a keyword it does not know is an
 * error, so that nothing written in the spec is silently dropped on its way to
 * the validators and the types. Build time only; the server never imports it.
 */

export interface JsonSchema {
  $ref?: string;
  $comment?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  /** ajv's form; AsyncAPI writes the property name as a bare string. */
  discriminator?: { propertyName: string };
  pattern?: string;
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
  definitions?: Record<string, JsonSchema>;
  $schema?: string;
  $id?: string;
}

export type JsonType =
  'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

const componentRef = '#/components/schemas/';
const definitionRef = '#/definitions/';

/** Keywords copied as they are (after their sub-schemas are converted). */
const plainKeywords = new Set([
  'description',
  'title',
  'type',
  'const',
  'enum',
  'required',
  'minItems',
  'maxItems',
  'pattern',
  'minimum',
  'maximum',
  'examples',
]);

/**
 * Converts one AsyncAPI schema object: component references become
 * `#/definitions/<name>` and the string form of `discriminator` becomes ajv's
 * `{ propertyName }`.
 */
export function toJsonSchema(input: unknown, where: string): JsonSchema {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error(`${where}: a schema must be an object`);
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(input) as [string, unknown][]) {
    const at = `${where}.${key}`;
    if (plainKeywords.has(key)) {
      Object.assign(out, { [key]: value });
    } else if (key === '$ref') {
      if (typeof value !== 'string' || !value.startsWith(componentRef)) {
        throw new Error(
          `${at}: only ${componentRef}<name> references are supported`,
        );
      }
      out.$ref = definitionRef + value.slice(componentRef.length);
    } else if (key === 'discriminator') {
      if (typeof value !== 'string')
        throw new Error(`${at}: expected a property name`);
      out.discriminator = { propertyName: value };
    } else if (key === 'properties') {
      out.properties = mapValues(value, at, (schema, name) =>
        toJsonSchema(schema, `${at}.${name}`),
      );
    } else if (key === 'additionalProperties') {
      out.additionalProperties =
        typeof value === 'boolean' ? value : toJsonSchema(value, at);
    } else if (key === 'items' || key === 'propertyNames') {
      out[key] = toJsonSchema(value, at);
    } else if (key === 'oneOf' || key === 'anyOf') {
      if (!Array.isArray(value))
        throw new Error(`${at}: expected a list of schemas`);
      out[key] = value.map((schema, i) => toJsonSchema(schema, `${at}[${i}]`));
    } else {
      throw new Error(
        `${at}: the generator does not support the keyword '${key}'`,
      );
    }
  }
  return out;
}

/** The name of the definition a `$ref` points at, or undefined for other schemas. */
export function refName(schema: JsonSchema): string | undefined {
  return schema.$ref?.startsWith(definitionRef)
    ? schema.$ref.slice(definitionRef.length)
    : undefined;
}

/** Every schema directly inside `schema` (one level down). */
export function childSchemas(schema: JsonSchema): JsonSchema[] {
  const children: JsonSchema[] = [];
  if (schema.properties) children.push(...Object.values(schema.properties));
  if (typeof schema.additionalProperties === 'object') {
    children.push(schema.additionalProperties);
  }
  if (schema.items) children.push(schema.items);
  if (schema.propertyNames) children.push(schema.propertyNames);
  children.push(...(schema.oneOf ?? []), ...(schema.anyOf ?? []));
  return children;
}

/** The names of every definition reachable from `root`, in discovery order. */
export function referencedDefinitions(
  root: JsonSchema,
  definitions: Record<string, JsonSchema>,
): string[] {
  const seen = new Set<string>();
  const pending = [root];
  for (let schema = pending.pop(); schema; schema = pending.pop()) {
    const name = refName(schema);
    if (name !== undefined && !seen.has(name)) {
      const target = definitions[name];
      if (!target) throw new Error(`unresolved reference ${schema.$ref}`);
      seen.add(name);
      pending.push(target);
    }
    pending.push(...childSchemas(schema));
  }
  return [...seen];
}

function mapValues<T>(
  value: unknown,
  where: string,
  fn: (entry: unknown, key: string) => T,
): Record<string, T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object`);
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, fn(v, k)]),
  );
}

/**
 * Turns the protocol's JSON Schemas into TypeScript declarations: one exported
 * type per definition, descriptions as doc comments, and the `ClientMessage`
 * and `ServerMessage` unions.
 *
 * It handles exactly the JSON Schema subset of `json-schema.ts` and nothing
 * more; constraints that TypeScript cannot express (patterns, ranges) stay in
 * the validators. An object gets an index signature only when the schema says
 * what its other properties are (`additionalProperties: true` or a schema).
 * Build time only.
 */
import type { JsonSchema, JsonType } from './json-schema.ts';
import { refName } from './json-schema.ts';
import type { ProtocolDocument, ProtocolMessage } from './protocol-document.ts';

export function emitTypeScript(doc: ProtocolDocument, header: string): string {
  const messageOf = new Map<string, ProtocolMessage>();
  for (const message of [...doc.clientMessages, ...doc.serverMessages]) {
    messageOf.set(message.payload, message);
  }

  const out: string[] = [header];
  for (const [name, schema] of Object.entries(doc.definitions)) {
    const message = messageOf.get(name);
    const prose = message
      ? `${message.summary}\n\n${message.description}`
      : (schema.description ?? '');
    out.push(docComment(prose, '') + declaration(name, schema));
  }

  out.push(
    docComment('Every message the client sends; `type` tells them apart.', '') +
      `export type ClientMessage =\n${unionLines(doc.clientMessages)};\n`,
    docComment('Every message the server sends; `type` tells them apart.', '') +
      `export type ServerMessage =\n${unionLines(doc.serverMessages)};\n`,
    docComment('The `type` of every client message, in document order.', '') +
      `export const clientMessageTypes = ${typeList(doc.clientMessages)} as const;\n`,
    docComment('The `type` of every server message, in document order.', '') +
      `export const serverMessageTypes = ${typeList(doc.serverMessages)} as const;\n`,
  );
  return out.join('\n');
}

function declaration(name: string, schema: JsonSchema): string {
  if (isPlainObject(schema)) {
    return `export interface ${name} ${objectBody(schema, '')}\n`;
  }
  return `export type ${name} = ${typeExpression(schema, '')};\n`;
}

function typeExpression(schema: JsonSchema, indent: string): string {
  const ref = refName(schema);
  if (ref !== undefined) return ref;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum)
    return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    return alternatives.map((alt) => typeExpression(alt, indent)).join(' | ');
  }
  const types: JsonType[] =
    schema.type === undefined
      ? []
      : Array.isArray(schema.type)
        ? schema.type
        : [schema.type];
  if (types.length === 0) return 'unknown';
  return types.map((type) => singleType(type, schema, indent)).join(' | ');
}

function singleType(
  type: JsonType,
  schema: JsonSchema,
  indent: string,
): string {
  switch (type) {
    case 'null':
    case 'boolean':
    case 'string':
    case 'number':
      return type;
    case 'integer':
      return 'number';
    case 'array':
      return `Array<${schema.items ? typeExpression(schema.items, indent) : 'unknown'}>`;
    case 'object':
      return objectBody(schema, indent);
  }
}

function objectBody(schema: JsonSchema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const lines: string[] = [];
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.description)
      lines.push(docComment(property.description, inner).trimEnd());
    const optional = required.has(key) ? '' : '?';
    lines.push(
      `${inner}${propertyKey(key)}${optional}: ${typeExpression(property, inner)};`,
    );
  }
  const rest = schema.additionalProperties;
  if (rest === true || (rest === undefined && !schema.properties)) {
    lines.push(`${inner}[key: string]: unknown;`);
  } else if (typeof rest === 'object') {
    lines.push(`${inner}[key: string]: ${typeExpression(rest, inner)};`);
  }
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function isPlainObject(schema: JsonSchema): boolean {
  return (
    schema.type === 'object' &&
    !schema.$ref &&
    !schema.oneOf &&
    !schema.anyOf &&
    schema.const === undefined
  );
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function unionLines(messages: ProtocolMessage[]): string {
  return messages.map((message) => `  | ${message.payload}`).join('\n');
}

function typeList(messages: ProtocolMessage[]): string {
  return `[${messages.map((message) => `'${message.name}'`).join(', ')}]`;
}

/** A JSDoc block; `*\/` inside the prose is broken up so it cannot end the comment. */
export function docComment(prose: string, indent: string): string {
  const text = prose.trim().replaceAll('*/', '*\\/');
  if (text === '') return '';
  const lines = text
    .split('\n')
    .map((line) => `${indent} *${line ? ` ${line}` : ''}`);
  return `${indent}/**\n${lines.join('\n')}\n${indent} */\n`;
}

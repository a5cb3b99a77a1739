/**
 * Schema samples: random values that satisfy one JSON Schema of
 * `generated/schemas` (the client messages of asyncapi/convex-sync.yaml), for
 * the fuzzer to start from. It walks the keywords those schemas use (`$ref`,
 * `const`, `oneOf`/`anyOf`, `type`, `required`/`properties`, `minimum` and
 * `maximum`); a string `pattern` and a few definitions whose meaning a walk
 * cannot guess (a Convex value, a function path) come from `special`.
 */
import { readFileSync } from 'node:fs';
import type { Draw } from '../differential/draw.ts';

export interface Schema {
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  definitions?: Record<string, Schema>;
}

/** Samples for a definition, by name, in place of walking it. */
export type Specials = Readonly<Record<string, (draw: Draw) => unknown>>;

export function loadMessageSchema(type: string): Schema {
  const url = new URL(`../../generated/schemas/${type}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Schema;
}

export function sampleSchema(
  root: Schema,
  draw: Draw,
  specials: Specials,
): unknown {
  const walk = (schema: Schema): unknown => {
    if (schema.$ref !== undefined) {
      const name = schema.$ref.replace('#/definitions/', '');
      const special = specials[name];
      if (special) return special(draw);
      const target = root.definitions?.[name];
      if (!target) throw new Error(`no definition ${name}`);
      return walk(target);
    }
    if ('const' in schema) return schema.const;
    if (schema.enum) return draw.pick(schema.enum);
    const branches = schema.oneOf ?? schema.anyOf;
    if (branches) return walk(draw.pick(branches));
    const type = Array.isArray(schema.type)
      ? draw.pick(schema.type)
      : schema.type;
    switch (type) {
      case 'object': {
        const object: Record<string, unknown> = {};
        for (const [name, property] of Object.entries(schema.properties ?? {}))
          if (schema.required?.includes(name) || draw.chance(0.5))
            object[name] = walk(property);
        return object;
      }
      case 'array':
        return Array.from({ length: draw.int(0, 2) }, () =>
          walk(schema.items ?? {}),
        );
      case 'string':
        if (schema.pattern !== undefined) {
          const special = specials[`pattern:${schema.pattern}`];
          if (!special) throw new Error(`no sample for ${schema.pattern}`);
          return special(draw);
        }
        return randomText(draw, draw.int(0, 12));
      case 'integer':
        return draw.chance(0.8)
          ? draw.int(schema.minimum ?? 0, Math.min(schema.maximum ?? 9, 9))
          : draw.int(schema.minimum ?? -1e6, schema.maximum ?? 1e6);
      case 'number':
        return draw.int(-1e6, 1e6) / draw.pick([1, 4, 1000]);
      case 'boolean':
        return draw.chance(0.5);
      case 'null':
        return null;
      case undefined:
        return randomJson(draw, 3);
      default:
        throw new Error(`no sample for type ${type}`);
    }
  };
  return walk(root);
}

/** Printable text with the odd non-ASCII character, as clients send. */
export function randomText(draw: Draw, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 _-:/.$é€😀"\\';
  let text = '';
  while (text.length < length) text += draw.pick([...alphabet]);
  return text;
}

/** Any JSON value, at most `depth` containers deep. */
export function randomJson(draw: Draw, depth: number): unknown {
  switch (draw.int(0, depth > 0 ? 6 : 4)) {
    case 0:
      return null;
    case 1:
      return draw.chance(0.5);
    case 2:
      return draw.int(-1e9, 1e9) / draw.pick([1, 7]);
    case 3:
    case 4:
      return randomText(draw, draw.int(0, 10));
    case 5:
      return Array.from({ length: draw.int(0, 3) }, () =>
        randomJson(draw, depth - 1),
      );
    default:
      return Object.fromEntries(
        Array.from({ length: draw.int(0, 3) }, () => [
          randomText(draw, draw.int(1, 6)),
          randomJson(draw, depth - 1),
        ]),
      );
  }
}

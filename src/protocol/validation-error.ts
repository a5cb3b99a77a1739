/**
 * Turns the errors of a generated ajv validator into one sentence that names
 * the offending field and what is wrong with it.
 *
 * A Convex value is an `anyOf` of its forms, so a bad value yields one error
 * per form it could have been. The most telling one is the deepest (it got
 * furthest into the value); at equal depth a bad field name beats a missing
 * or extra key, which beats a type mismatch. Pattern errors name the spec's
 * definition whose pattern failed, rather than the regular expression.
 */
import type { ErrorObject } from 'ajv';
import bundle from '../../generated/schemas/convex-sync.json' with { type: 'json' };

export interface ValidationProblem {
  /** A path such as `modifications[0].args[0].count.$integer`; empty for the message itself. */
  field: string;
  problem: string;
}

/** What each of the spec's patterns means (its schema's title), so that errors need no regex. */
const patternMeanings = new Map<string, string>(
  Object.entries(
    bundle.definitions as Record<string, { pattern?: string; title?: string }>,
  ).flatMap(([name, schema]) =>
    schema.pattern === undefined
      ? []
      : [[schema.pattern, schema.title ?? `a ${name}`]],
  ),
);

/** Lower is more telling at equal depth. */
const keywordRank: Record<string, number> = {
  propertyNames: 0,
  discriminator: 1,
  additionalProperties: 2,
  required: 3,
  pattern: 4,
  const: 5,
  minimum: 6,
  maximum: 6,
  type: 7,
};
const otherKeywordRank = 8;

export function describeValidationErrors(
  errors: readonly ErrorObject[],
): ValidationProblem {
  const candidates = errors.filter(
    (e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf',
  );
  const best = candidates.reduce<ErrorObject | undefined>(
    (chosen, e) =>
      chosen === undefined || moreTelling(e, chosen) ? e : chosen,
    undefined,
  );
  if (best === undefined)
    return { field: '', problem: 'does not match the schema' };
  return describe(best);
}

function moreTelling(a: ErrorObject, b: ErrorObject): boolean {
  const depth = depthOf(a) - depthOf(b);
  if (depth !== 0) return depth > 0;
  // At equal depth, an error inside a field's value beats one about its key.
  const inside = segmentsOf(a) - segmentsOf(b);
  if (inside !== 0) return inside > 0;
  return rankOf(a) < rankOf(b);
}

/** Errors about a key (a bad name, a missing or extra field) sit one level below the object. */
function depthOf(e: ErrorObject): number {
  const aboutAKey =
    e.propertyName !== undefined ||
    e.keyword === 'propertyNames' ||
    e.keyword === 'additionalProperties' ||
    e.keyword === 'required' ||
    e.keyword === 'discriminator';
  return segmentsOf(e) + (aboutAKey ? 1 : 0);
}

function segmentsOf(e: ErrorObject): number {
  return e.instancePath === '' ? 0 : e.instancePath.split('/').length - 1;
}

function rankOf(e: ErrorObject): number {
  return (
    keywordRank[e.propertyName !== undefined ? 'propertyNames' : e.keyword] ??
    otherKeywordRank
  );
}

function describe(e: ErrorObject): ValidationProblem {
  const at = pointerSegments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.propertyName !== undefined || e.keyword === 'propertyNames') {
    const name = e.propertyName ?? String(params['propertyName']);
    return {
      field: formatPath([...at, name]),
      problem: fieldNameProblem(name),
    };
  }
  switch (e.keyword) {
    case 'required':
      return {
        field: formatPath([...at, String(params['missingProperty'])]),
        problem: 'is required',
      };
    case 'additionalProperties':
      return {
        field: formatPath([...at, String(params['additionalProperty'])]),
        problem: 'is not allowed here',
      };
    case 'discriminator': {
      const tag = String(params['tag']);
      const value = JSON.stringify(params['tagValue']);
      return {
        field: formatPath([...at, tag]),
        problem:
          params['error'] === 'mapping'
            ? `unknown ${tag} ${value}`
            : 'must be a string',
      };
    }
    case 'pattern': {
      const meaning = patternMeanings.get(String(params['pattern']));
      return {
        field: formatPath(at),
        problem: meaning ? `must be ${meaning}` : (e.message ?? 'is malformed'),
      };
    }
    case 'const':
      return {
        field: formatPath(at),
        problem: `must be ${JSON.stringify(params['allowedValue'])}`,
      };
    default:
      return {
        field: formatPath(at),
        problem: e.message ?? `fails ${e.keyword}`,
      };
  }
}

/** Convex's own wording for a reserved name (convex/values `validateObjectField`). */
function fieldNameProblem(name: string): string {
  if (name.startsWith('$'))
    return `Field name ${name} starts with a '$', which is reserved.`;
  return `Field name ${JSON.stringify(name)} must be at most 1024 printable ASCII characters.`;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function formatPath(segments: readonly string[]): string {
  let path = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment))
      path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

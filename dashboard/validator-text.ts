/**
 * validatorText: an argument validator, as the server lists it (the JSON of
 * `convex/values` validators, `v.object({...}).json`), written the way a
 * Convex developer reads types: `{ list: string; text?: string }`,
 * `Id<"notes">`, `"a" | "b"`, `Array<number>`, `Record<string, any>`.
 */
export type ValidatorJson =
  | { type: 'any' | 'null' | 'number' | 'bigint' | 'boolean' | 'string' }
  | { type: 'bytes' }
  | { type: 'id'; tableName: string }
  | { type: 'literal'; value: unknown }
  | { type: 'array'; value: ValidatorJson }
  | {
      type: 'record';
      keys: ValidatorJson;
      values: { fieldType: ValidatorJson; optional: boolean };
    }
  | {
      type: 'object';
      value: Record<string, { fieldType: ValidatorJson; optional: boolean }>;
    }
  | { type: 'union'; value: ValidatorJson[] };

export function validatorText(validator: ValidatorJson): string {
  switch (validator.type) {
    case 'any':
    case 'null':
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'string':
      return validator.type;
    case 'bytes':
      return 'ArrayBuffer';
    case 'id':
      return `Id<${JSON.stringify(validator.tableName)}>`;
    case 'literal':
      return literalText(validator.value);
    case 'array':
      return `Array<${validatorText(validator.value)}>`;
    case 'record':
      return `Record<${validatorText(validator.keys)}, ${validatorText(validator.values.fieldType)}>`;
    case 'object': {
      const fields = Object.entries(validator.value).map(
        ([name, field]) =>
          `${name}${field.optional ? '?' : ''}: ${validatorText(field.fieldType)}`,
      );
      return fields.length === 0 ? '{}' : `{ ${fields.join('; ')} }`;
    }
    case 'union':
      return validator.value.map(validatorText).join(' | ');
  }
}

/** A literal as written in source: an int64 literal arrives as `{$integer}`. */
function literalText(value: unknown): string {
  if (value !== null && typeof value === 'object' && '$integer' in value)
    return 'bigint literal';
  return JSON.stringify(value);
}

/**
 * The document validators of a schema (`defineSchema(...).export()`, each
 * table's `documentType`), by table, which every insert, patch and replace
 * must satisfy when the schema has `schemaValidation` (the default;
 * convex-runtime.md §4.7). Tables the schema does not name are not checked,
 * as on Convex; with `schemaValidation: false` none are.
 */
import type { ValidatorJson } from './validator.ts';

interface SchemaDocumentTypes {
  schemaValidation?: boolean;
  tables?: { tableName: string; documentType?: ValidatorJson | null }[];
}

export function documentValidatorsOf(
  schema: unknown,
): ReadonlyMap<string, ValidatorJson> {
  const validators = new Map<string, ValidatorJson>();
  const exported = schema as SchemaDocumentTypes | null;
  if (!exported || exported.schemaValidation === false) return validators;
  for (const { tableName, documentType } of exported.tables ?? [])
    if (documentType) validators.set(tableName, documentType);
  return validators;
}

/**
 * Makes the store match a schema's indexes: `defineSchema(...).export()`
 * lists each table's indexes as `{indexDescriptor, fields}`; every table in
 * the schema gets exactly those (new ones backfilled by the store before they
 * serve). Staged indexes are created too, as Convex creates and backfills
 * them, but they are not declared queryable here yet.
 */
import type { DocumentStore } from '../store/store.ts';

interface SchemaJson {
  tables: {
    tableName: string;
    indexes: { indexDescriptor: string; fields: string[] }[];
  }[];
}

export async function applySchema(
  store: DocumentStore,
  schema: unknown,
): Promise<void> {
  if (schema === null || schema === undefined) return;
  for (const table of (schema as SchemaJson).tables) {
    await store.defineIndexes(
      table.tableName,
      table.indexes.map((index) => ({
        name: index.indexDescriptor,
        fields: index.fields,
      })),
    );
  }
}

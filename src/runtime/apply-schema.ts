/**
 * Makes the store match a schema's indexes: `defineSchema(...).export()`
 * lists each table's indexes as `{indexDescriptor, fields}`; every table in
 * the schema gets exactly those (new ones backfilled by the store before they
 * serve). Staged indexes are created too, as Convex creates and backfills
 * them, but they are not declared queryable here yet. The system tables get
 * the indexes the runtime needs of them.
 */
import type { DocumentStore } from '../store/store.ts';
import { JOB_LEASES, JOB_LEASE_INDEXES } from './job-leases.ts';
import { BY_STATE_AND_TIME, SCHEDULED_FUNCTIONS } from './scheduled-jobs.ts';
import { BY_SHA256, MODULE_SOURCES } from './stored-modules.ts';

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
  await store.defineIndexes(SCHEDULED_FUNCTIONS, [BY_STATE_AND_TIME]);
  await store.defineIndexes(JOB_LEASES, JOB_LEASE_INDEXES);
  await store.defineIndexes(MODULE_SOURCES, [BY_SHA256]);
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

/**
 * The dashboard's system queries about tables and the schema
 * (`_system/frontend/`, convex-backend `system-udfs/convex/_system/
 * frontend/`):
 *
 * - `listTables` `{}`: the user tables by name, each with its document
 *   count and its indexes: `by_creation_time` and `by_id`, which every table
 *   has, then those the schema declares for it, with their fields as
 *   declared (without the `_creationTime`, `_id` every index ends with) and
 *   whether they are ready (a new index is backfilled first). Convex's
 *   dashboard puts this together from several queries; here it is one, so
 *   the table list reruns on one subscription;
 * - `getSchemas` `{}`: the active schema as the JSON text of
 *   `defineSchema().export()`, null without one. `inProgress` is always null:
 *   a push here applies its schema at once, with nothing left validating.
 *
 * `listTables` reads the catalog and counts through the transaction, so a
 * new table or document reruns its subscribers. The schema is the deployed
 * code's, not a table: a push reaches subscribers as every push does.
 */
import type { Transaction } from '../store/store.ts';
import { countDocuments } from './count-documents.ts';
import type { SystemQuery } from './system-query.ts';

/** A type, not an interface: it must pass as a Convex value. */
type IndexSummary = { name: string; fields: string[]; ready: boolean };

interface SchemaIndexes {
  tables?: {
    tableName: string;
    indexes?: { indexDescriptor: string; fields: string[] }[];
  }[];
}

/** The indexes every table has, with the fields the dashboard shows for them. */
const BUILT_IN_INDEXES: readonly { name: string; fields: string[] }[] = [
  { name: 'by_creation_time', fields: ['_creationTime'] },
  { name: 'by_id', fields: ['_id'] },
];

export const listTables: SystemQuery = {
  args: { type: 'object', value: {} },
  async handler({ tx, functions }) {
    const declared = declaredIndexes(functions.schema);
    const names = tx
      .tableNames()
      .filter((name) => !name.startsWith('_'))
      .sort();
    const tables = [];
    for (const name of names)
      tables.push({
        name,
        documentCount: await countDocuments(tx, name),
        indexes: [...BUILT_IN_INDEXES, ...(declared.get(name) ?? [])].map(
          (index) => summary(tx, name, index),
        ),
      });
    return { success: true, value: tables };
  },
};

export const getSchemas: SystemQuery = {
  args: { type: 'object', value: {} },
  async handler({ functions }) {
    const { schema } = functions;
    return {
      success: true,
      value: {
        active: (schema ?? null) === null ? null : JSON.stringify(schema),
        inProgress: null,
      },
    };
  },
};

function summary(
  tx: Transaction,
  table: string,
  index: { name: string; fields: string[] },
): IndexSummary {
  return {
    name: index.name,
    fields: index.fields,
    ready: tx.describeIndex(table, index.name)?.ready ?? false,
  };
}

/** The database indexes a schema declares, by table. */
function declaredIndexes(
  schema: unknown,
): Map<string, { name: string; fields: string[] }[]> {
  const byTable = new Map<string, { name: string; fields: string[] }[]>();
  for (const table of (schema as SchemaIndexes | null)?.tables ?? [])
    byTable.set(
      table.tableName,
      (table.indexes ?? []).map((index) => ({
        name: index.indexDescriptor,
        fields: [...index.fields],
      })),
    );
  return byTable;
}

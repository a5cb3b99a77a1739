/**
 * The dashboard's system mutations that edit documents (`_system/frontend/`,
 * convex-backend `system-udfs/convex/_system/frontend/`), each through the
 * same op user code's `db` reaches (database-syscalls.ts), so the schema and
 * the system-field rules hold, with Convex's messages:
 *
 * - `addDocument` `{table, documents}`: inserts each document;
 * - `patchDocumentsFields` `{table, fields, ids?}`: patches the listed
 *   documents, or every document of the table, with `fields`; a field set
 *   to the dashboard's placeholder for `undefined` is removed;
 * - `replaceDocument` `{table, id, document}`: replaces a document's fields
 *   (its `_id` and `_creationTime` may come along unchanged);
 * - `deleteDocuments` `{toDelete: [{id, tableName}]}`: deletes each.
 *
 * Each answers `{success: true}`. Asked to add or delete more than 4,096
 * documents at once, they answer `{success: false, error}` instead, as
 * Convex does: half of the 8,192 writes a transaction may make. When an op
 * refuses (a document the schema refuses, an id of another table, a system
 * table), the mutation fails with that message as a `ConvexError`, as
 * Convex's rethrows it, and commits nothing.
 */
import { type JSONValue, type Value, convexToJson } from 'convex/values';
import type { Transaction } from '../store/store.ts';
import { type DatabaseRun, DatabaseSyscalls } from './database-syscalls.ts';
import { UNDEFINED_PLACEHOLDER } from './dashboard-filter.ts';
import type {
  SystemMutation,
  SystemMutationOutcome,
} from './system-mutation.ts';
import type { SyscallArgs } from './syscall-table.ts';
import type { ValidatorJson } from './validator.ts';

/** convex-backend's `MAX_IMPORT_COUNT` and `MAX_DOCUMENT_DELETIONS`: half of a transaction's 8,192 writes. */
const MAX_DOCUMENTS = 4096;
/** Ids per scan when patching a whole table. */
const ID_BATCH = 1024;

const ANY: ValidatorJson = { type: 'any' };
const STRING: ValidatorJson = { type: 'string' };
const SUCCESS: SystemMutationOutcome = {
  success: true,
  value: { success: true },
};

type Op = 'insert' | 'patch' | 'replace' | 'delete';

const OPS: Readonly<Record<Op, string>> = {
  insert: '1.0/insert',
  patch: '1.0/shallowMerge',
  replace: '1.0/replace',
  delete: '1.0/remove',
};

export const addDocument: SystemMutation = {
  args: {
    type: 'object',
    value: {
      table: { fieldType: STRING, optional: false },
      documents: { fieldType: { type: 'array', value: ANY }, optional: false },
    },
  },
  async handler({ database }, args) {
    const table = args['table'] as string;
    const documents = args['documents'] as Value[];
    if (documents.length > MAX_DOCUMENTS)
      return refusal(
        `Can’t import more than ${MAX_DOCUMENTS} documents at once.`,
      );
    for (const document of documents) {
      if (!isFields(document))
        return convexError('A document must be an object.');
      const failed = await apply(database, 'insert', {
        table,
        value: convexToJson(document),
      });
      if (failed) return failed;
    }
    return SUCCESS;
  },
};

export const patchDocumentsFields: SystemMutation = {
  args: {
    type: 'object',
    value: {
      table: { fieldType: STRING, optional: false },
      fields: { fieldType: ANY, optional: false },
      ids: { fieldType: { type: 'array', value: STRING }, optional: true },
    },
  },
  async handler({ tx, database }, args) {
    const table = args['table'] as string;
    const fields = args['fields'];
    if (!isFields(fields)) return convexError('`fields` must be an object.');
    const patch: Record<string, JSONValue> = {};
    for (const [field, value] of Object.entries(fields))
      patch[field] =
        value === UNDEFINED_PLACEHOLDER
          ? { $undefined: null }
          : convexToJson(value);
    const ids =
      (args['ids'] as string[] | undefined) ?? (await allIds(tx, table));
    for (const id of ids) {
      const failed = await apply(database, 'patch', {
        id,
        table,
        value: patch,
      });
      if (failed) return failed;
    }
    return SUCCESS;
  },
};

export const replaceDocument: SystemMutation = {
  args: {
    type: 'object',
    value: {
      table: { fieldType: STRING, optional: false },
      id: { fieldType: STRING, optional: false },
      document: { fieldType: ANY, optional: false },
    },
  },
  async handler({ tx, database }, args) {
    const table = args['table'] as string;
    const id = args['id'] as string;
    const document = args['document'];
    if (!isFields(document))
      return convexError('The document must be an object.');
    if (tx.tableNumber(table) !== null && (await tx.get(id)) === null)
      return refusal('Document does not exist.');
    const failed = await apply(database, 'replace', {
      id,
      table,
      value: convexToJson(document),
    });
    return failed ?? SUCCESS;
  },
};

export const deleteDocuments: SystemMutation = {
  args: {
    type: 'object',
    value: {
      toDelete: {
        fieldType: {
          type: 'array',
          value: {
            type: 'object',
            value: {
              id: { fieldType: STRING, optional: false },
              tableName: { fieldType: STRING, optional: false },
            },
          },
        },
        optional: false,
      },
    },
  },
  async handler({ database }, args) {
    const toDelete = args['toDelete'] as { id: string; tableName: string }[];
    if (toDelete.length > MAX_DOCUMENTS)
      return refusal(
        `You can’t delete more than ${MAX_DOCUMENTS} documents at once.`,
      );
    for (const { id, tableName } of toDelete) {
      const failed = await apply(database, 'delete', { id, table: tableName });
      if (failed) return failed;
    }
    return SUCCESS;
  },
};

/** Runs one write op; what it refused, as the mutation's failure, or null. */
async function apply(
  database: DatabaseSyscalls,
  op: Op,
  args: SyscallArgs,
): Promise<SystemMutationOutcome | null> {
  const run: DatabaseRun = { database };
  const handler = DatabaseSyscalls.asyncOps[OPS[op]];
  if (!handler) throw new Error(`The database has no op ${OPS[op]}.`);
  try {
    await handler(run, args);
    return null;
  } catch (error) {
    return convexError((error as Error).message);
  }
}

/** The ids of a table's documents, read in the transaction (so a document added meanwhile conflicts). */
async function allIds(tx: Transaction, table: string): Promise<string[]> {
  const ids: string[] = [];
  let after: Buffer | undefined;
  for (;;) {
    const { documents, lastKey, exhausted } = await tx.scan({
      table,
      index: 'by_id',
      eq: [],
      order: 'asc',
      limit: ID_BATCH,
      after,
    });
    for (const document of documents) ids.push(document['_id']);
    if (exhausted || lastKey === undefined) return ids;
    after = lastKey;
  }
}

/** A refusal Convex answers as a value: the mutation succeeds, and commits nothing it did not write. */
function refusal(error: string): SystemMutationOutcome {
  return { success: true, value: { success: false, error } };
}

/** A failure as a thrown `ConvexError` with the message as its data reaches a client. */
function convexError(message: string): SystemMutationOutcome {
  return {
    success: false,
    errorMessage: `Uncaught ConvexError: ${message}`,
    errorData: message,
  };
}

function isFields(value: Value | undefined): value is Record<string, Value> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof ArrayBuffer)
  );
}

/**
 * The system queries the CLI subscribes to while it exports and imports
 * (convex-backend `system-udfs/convex/_system/cli/exports.ts`,
 * `queryImport.ts`), over the job documents of snapshot-jobs.ts:
 *
 * - `_system/cli/exports:getLatest` `{}`: the latest export, or null;
 *   `npx convex export` waits for its `state` to be completed or failed,
 *   then downloads `/api/export/zip/<start_ts>`;
 * - `_system/cli/queryImport` `{importId}`: one import, or null;
 *   `npx convex import` waits on its `state.state`;
 * - `_system/cli/queryImport:list` `{}`: the 20 latest imports, newest
 *   first; the CLI warns when one is in progress.
 *
 * Each reads in the query's transaction, so a subscriber sees every change
 * of state. Whole documents are answered, as on Convex.
 */
import { SYSTEM_TABLES } from '../store/catalog.ts';
import { decodeDocumentId } from '../store/document-id.ts';
import { EXPORTS } from './export-jobs.ts';
import { SNAPSHOT_IMPORTS } from './import-jobs.ts';
import { latestDocument } from './job-documents.ts';
import type { SystemQuery } from './system-query.ts';

/** As many as Convex's `list` takes. */
const LISTED_IMPORTS = 20;

export const latestExport: SystemQuery = {
  args: { type: 'object', value: {} },
  async handler({ tx }) {
    return { success: true, value: await latestDocument(tx, EXPORTS) };
  },
};

export const snapshotImport: SystemQuery = {
  args: {
    type: 'object',
    value: { importId: { fieldType: { type: 'string' }, optional: false } },
  },
  async handler({ tx }, args) {
    const id = args['importId'] as string;
    if (
      decodeDocumentId(id)?.tableNumber !== SYSTEM_TABLES.get(SNAPSHOT_IMPORTS)
    )
      return {
        success: false,
        errorMessage: `ArgumentValidationError: Value does not match validator.\nPath: .importId\nValue: "${id}"\nValidator: v.id("${SNAPSHOT_IMPORTS}")`,
      };
    return { success: true, value: await tx.get(id) };
  },
};

export const snapshotImports: SystemQuery = {
  args: { type: 'object', value: {} },
  async handler({ tx }) {
    const { documents } = await tx.scan({
      table: SNAPSHOT_IMPORTS,
      index: 'by_creation_time',
      eq: [],
      order: 'desc',
      limit: LISTED_IMPORTS,
    });
    return { success: true, value: documents };
  },
};

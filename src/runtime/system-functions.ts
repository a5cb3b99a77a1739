/**
 * The built-in system functions: the `_system/...` queries the official CLI
 * subscribes to (`npx convex env list`, `data`, `run`, `import`, `export`;
 * convex-cli-and-guarantees.md §1.8), and the queries and mutations the
 * dashboard calls (`_system/frontend/`: its data browser, and the scheduled
 * functions and cron jobs its Health page shows). On Convex they
 * are ordinary functions of a bundled package (convex-backend
 * `npm-packages/system-udfs/convex/_system/`); here they are TypeScript in
 * the runtime, run by the FunctionRunner: a query in the query's
 * transaction, so that what it reads is its read set and a subscriber sees
 * a new result after every commit that changes it; a mutation in the
 * runner's retry loop, as a user mutation runs, exactly once per session
 * request.
 *
 * Only an admin acting as itself may call them (`isSystemCaller`): anyone
 * else, an admin acting as a user included, is refused before any lookup,
 * with Convex's `Operation query not permitted` (`unauthorized_error` in
 * convex-backend's function runner). No user code runs and nothing is
 * reported to execution listeners: Convex keeps system functions out of the
 * function logs too.
 *
 * To add one: write it (a `SystemQuery`, system-query.ts, or a
 * `SystemMutation`, system-mutation.ts: its arguments' validator and a
 * handler over the transaction) in a file of its area, and list it in
 * SYSTEM_QUERIES or SYSTEM_MUTATIONS under its canonical path
 * (`module:export`, `default` for a default export).
 *
 * There are no system actions: neither the CLI nor the dashboard calls one
 * here, and the runner finds no `_system/` action.
 */
import type { JSONValue, Value } from 'convex/values';
import type { FunctionResult } from './function-result.ts';
import {
  environmentVariable,
  environmentVariables,
} from './system-environment-variables.ts';
import { apiSpec } from './system-modules.ts';
import {
  latestExport,
  snapshotImport,
  snapshotImports,
} from './system-snapshots.ts';
import type { SystemQuery, SystemQueryOutcome } from './system-query.ts';
import { queryTable, tableData, tableSize, tables } from './system-tables.ts';
import {
  getById,
  paginatedTableDocuments,
} from './system-frontend-documents.ts';
import {
  addDocument,
  deleteDocuments,
  patchDocumentsFields,
  replaceDocument,
} from './system-frontend-edits.ts';
import { getSchemas, listTables } from './system-frontend-tables.ts';
import { listCronJobs } from './system-frontend-cron-jobs.ts';
import { paginatedScheduledJobs } from './system-frontend-scheduled-jobs.ts';
import type {
  SystemMutation,
  SystemMutationOutcome,
} from './system-mutation.ts';
import type { Transaction } from '../store/store.ts';
import type { ValidatorJson } from './validator.ts';
import { validationError } from './validator.ts';

/** The caller of a run, as far as system functions care. */
export interface SystemCallerOptions {
  /** True when the caller presented the deployment's admin key. */
  admin?: boolean;
  /** The identity the call runs as: an admin acting as a user has one. */
  identity?: Record<string, JSONValue> | null;
}

const SYSTEM_MODULE_PREFIX = '_system/';

const SYSTEM_QUERIES: ReadonlyMap<string, SystemQuery> = new Map([
  ['_system/cli/queryEnvironmentVariables:default', environmentVariables],
  ['_system/cli/queryEnvironmentVariables:get', environmentVariable],
  ['_system/cli/tables:default', tables],
  ['_system/cli/tableData:default', tableData],
  ['_system/cli/tableSize:default', tableSize],
  ['_system/cli/queryTable:default', queryTable],
  ['_system/cli/modules:apiSpec', apiSpec],
  ['_system/cli/exports:getLatest', latestExport],
  ['_system/cli/queryImport:default', snapshotImport],
  ['_system/cli/queryImport:list', snapshotImports],
  ['_system/frontend/listTables:default', listTables],
  ['_system/frontend/paginatedTableDocuments:default', paginatedTableDocuments],
  ['_system/frontend/getById:default', getById],
  ['_system/frontend/getSchemas:default', getSchemas],
  ['_system/frontend/paginatedScheduledJobs:default', paginatedScheduledJobs],
  ['_system/frontend/listCronJobs:default', listCronJobs],
]);

const SYSTEM_MUTATIONS: ReadonlyMap<string, SystemMutation> = new Map([
  ['_system/frontend/addDocument:default', addDocument],
  ['_system/frontend/patchDocumentsFields:default', patchDocumentsFields],
  ['_system/frontend/replaceDocument:default', replaceDocument],
  ['_system/frontend/deleteDocuments:default', deleteDocuments],
]);

/** Whether a function path (in any spelling) lies under `_system/`. Cheap: no parsing. */
export function isSystemPath(path: string): boolean {
  return path.startsWith(SYSTEM_MODULE_PREFIX);
}

/** Whether a caller may run system functions: an admin, acting as nobody else. */
export function isSystemCaller(options: SystemCallerOptions): boolean {
  return options.admin === true && (options.identity ?? null) === null;
}

/** What a caller who may not run system functions is told, whether or not the function exists. */
export function systemRefusal(kind: string): string {
  return `Operation ${kind} not permitted`;
}

/** The system query at a canonical path, or null. */
export function systemQuery(canonicalPath: string): SystemQuery | null {
  return SYSTEM_QUERIES.get(canonicalPath) ?? null;
}

/** The system mutation at a canonical path, or null. */
export function systemMutation(canonicalPath: string): SystemMutation | null {
  return SYSTEM_MUTATIONS.get(canonicalPath) ?? null;
}

/** Runs a system query or mutation: its arguments validated as a function's are, then its handler. */
export async function runSystemFunction<Context extends { tx: Transaction }>(
  fn: {
    args: ValidatorJson;
    handler(
      context: Context,
      args: Record<string, Value>,
    ): Promise<SystemQueryOutcome | SystemMutationOutcome>;
  },
  args: Value,
  context: Context,
): Promise<FunctionResult> {
  const problem = validationError(fn.args, args, context.tx);
  if (problem !== null)
    return {
      success: false,
      errorMessage: `ArgumentValidationError: ${problem}`,
      logLines: [],
    };
  const outcome = await fn.handler(context, args as Record<string, Value>);
  return { ...outcome, logLines: [] };
}

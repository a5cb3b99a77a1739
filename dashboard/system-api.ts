/**
 * The system functions the dashboard calls (`_system/frontend/*`, served by
 * src/runtime for an admin only), typed as the server answers them. Their
 * names and argument shapes are Convex's where Convex has the function, so
 * the same calls work against a Convex backend's system functions.
 */
import { makeFunctionReference } from 'convex/server';
import type { Value } from 'convex/values';
import { base64Text } from './base64-text.ts';
import type { ValidatorJson } from './validator-text.ts';

export interface IndexInfo {
  name: string;
  fields: string[];
  ready: boolean;
}

export interface TableInfo {
  name: string;
  documentCount: number;
  indexes: IndexInfo[];
}

export type Document = { _id: string; _creationTime: number } & Record<
  string,
  Value
>;

export interface DocumentPage {
  page: Document[];
  isDone: boolean;
  continueCursor: string;
}

export interface FilterClause {
  op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';
  field: string;
  /** A Convex value in its JSON form (`convexToJson`). */
  value: unknown;
  enabled?: boolean;
}

/** What every system mutation answers: an expected refusal is a value. */
export type EditResult = { success: true } | { success: false; error: string };

export const listTables = makeFunctionReference<
  'query',
  Record<string, never>,
  TableInfo[]
>('_system/frontend/listTables');

export const paginatedTableDocuments = makeFunctionReference<
  'query',
  {
    table: string;
    paginationOpts: { numItems: number; cursor: string | null };
    filters: string | null;
    index: string | null;
    order: 'asc' | 'desc';
  },
  DocumentPage
>('_system/frontend/paginatedTableDocuments');

export const getSchemas = makeFunctionReference<
  'query',
  Record<string, never>,
  { active: string | null; inProgress: string | null }
>('_system/frontend/getSchemas');

export const addDocument = makeFunctionReference<
  'mutation',
  { table: string; documents: Record<string, Value>[] },
  EditResult
>('_system/frontend/addDocument');

export const replaceDocument = makeFunctionReference<
  'mutation',
  { table: string; id: string; document: Record<string, Value> },
  EditResult
>('_system/frontend/replaceDocument');

export const deleteDocuments = makeFunctionReference<
  'mutation',
  { toDelete: { id: string; tableName: string }[] },
  EditResult
>('_system/frontend/deleteDocuments');

/** One entry of `_system/cli/modules:apiSpec`: a function, or an HTTP route. */
export type FunctionSpec =
  | {
      /** `messages.js:list`: the module file as stored, and the export. */
      identifier: string;
      functionType: 'Query' | 'Mutation' | 'Action' | 'HttpAction';
      visibility: { kind: 'public' | 'internal' };
      args: ValidatorJson;
      returns: ValidatorJson;
    }
  | { functionType: 'HttpAction'; method: string; path: string };

export const apiSpec = makeFunctionReference<
  'query',
  Record<string, never>,
  FunctionSpec[]
>('_system/cli/modules:apiSpec');

export const environmentVariables = makeFunctionReference<
  'query',
  Record<string, never>,
  { name: string; value: string }[]
>('_system/cli/queryEnvironmentVariables');

/** A `_scheduled_functions` document, as the system query lists it (times in ms). */
export interface ScheduledJob {
  _id: string;
  _creationTime: number;
  name: string;
  args: Value[];
  scheduledTime: number;
  completedTime?: number;
  state:
    | { kind: 'pending' | 'inProgress' | 'success' | 'canceled' }
    | { kind: 'failed'; error: string };
}

export const paginatedScheduledJobs = makeFunctionReference<
  'query',
  {
    paginationOpts: { numItems: number; cursor: string | null };
    udfPath: string | null;
  },
  { page: ScheduledJob[]; isDone: boolean; continueCursor: string }
>('_system/frontend/paginatedScheduledJobs');

export type CronSchedule =
  | { type: 'interval'; seconds: bigint }
  | { type: 'hourly'; minuteUTC: bigint }
  | { type: 'daily'; hourUTC: bigint; minuteUTC: bigint }
  | { type: 'weekly'; dayOfWeek: bigint; hourUTC: bigint; minuteUTC: bigint }
  | { type: 'monthly'; day: bigint; hourUTC: bigint; minuteUTC: bigint }
  | { type: 'cron'; cronExpr: string };

/** One declared cron, in Convex's shape: times in nanoseconds. */
export interface CronJob {
  name: string;
  cronSpec: { udfPath: string; cronSchedule: CronSchedule };
  state: { type: 'pending' | 'inProgress' };
  nextTs: bigint | null;
  lastRun: {
    ts: bigint;
    status:
      | { type: 'success' }
      | { type: 'err'; error: string }
      | { type: 'canceled' };
  } | null;
}

export const listCronJobs = makeFunctionReference<
  'query',
  Record<string, never>,
  CronJob[]
>('_system/frontend/listCronJobs');

/** Convex's dashboard encoding of filters: base64 of `{clauses}` as JSON. */
export function encodeFilters(clauses: FilterClause[]): string | null {
  if (clauses.length === 0) return null;
  const json = JSON.stringify({ clauses });
  return base64Text(json);
}

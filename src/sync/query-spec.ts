/**
 * QuerySpec: one distinct query as the subscription hub shares it: the
 * function, its arguments, the identity it runs as, and the journal that
 * pins a paginated page. Two sessions asking for the same spec share one
 * result; its key is the spec as text.
 */
import { type JSONValue, convexToJson } from 'convex/values';
import type { Value } from '../protocol/values.ts';

export interface QuerySpec {
  udfPath: string;
  args: Value;
  identity: Record<string, JSONValue> | null;
  journal: string | null;
}

export function querySpecKey(spec: QuerySpec): string {
  return JSON.stringify([
    spec.udfPath,
    convexToJson(spec.args),
    // All of the identity: a function may return any of its fields.
    spec.identity,
    spec.journal,
  ]);
}

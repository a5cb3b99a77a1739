/**
 * QuerySpec: one distinct query as the subscription hub shares it: the
 * function, its arguments, the identity it runs as, whether its session
 * holds the admin key, and the journal that pins a paginated page. Two
 * sessions asking for the same spec share one result; its key is the spec
 * as text.
 */
import type { JSONValue } from 'convex/values';
import { type Value, encodeValue } from '../protocol/values.ts';

export interface QuerySpec {
  udfPath: string;
  args: Value;
  identity: Record<string, JSONValue> | null;
  /**
   * True for an admin's session: it reaches internal functions and, acting
   * as nobody else, the `_system/` ones, so it shares no result with others.
   */
  admin: boolean;
  journal: string | null;
}

export function querySpecKey(spec: QuerySpec): string {
  const key = [
    spec.udfPath,
    encodeValue(spec.args),
    // All of the identity: a function may return any of its fields.
    spec.identity,
    spec.journal,
  ];
  // Only an admin's keys are longer: every other key stays as it was.
  if (spec.admin) key.push('admin');
  return JSON.stringify(key);
}

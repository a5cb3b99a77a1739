/**
 * SystemQuery: what one built-in `_system/` query is (system-functions.ts
 * lists them): the validator of its arguments object, checked before it
 * runs, and a handler that reads the store through the query's transaction.
 * A handler's expected failures (a bad cursor, say) are outcomes, as a user
 * function's throws are; only bugs throw.
 */
import type { Value } from 'convex/values';
import type { Transaction } from '../store/store.ts';
import type { LoadedFunctions } from './load-functions.ts';
import type { ValidatorJson } from './validator.ts';

/** What a system query may reach. */
export interface SystemQueryContext {
  /** The query's transaction: every read lands in the read set its subscribers are rerun by. */
  tx: Transaction;
  /** The deployed code, for the queries about the functions themselves. */
  functions: LoadedFunctions;
}

export type SystemQueryOutcome =
  { success: true; value: Value } | { success: false; errorMessage: string };

export interface SystemQuery {
  /** The validator of the arguments object. */
  args: ValidatorJson;
  handler(
    context: SystemQueryContext,
    args: Record<string, Value>,
  ): Promise<SystemQueryOutcome>;
}

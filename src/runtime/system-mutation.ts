/**
 * SystemMutation: what one built-in `_system/` mutation is (system-functions.ts
 * lists them): the validator of its arguments object, checked before it
 * runs, and a handler that writes through the attempt's transaction. The
 * FunctionRunner runs it as it runs a user mutation: committed once it
 * succeeds, run again from the start in a fresh transaction when it loses a
 * conflict, and recorded for exactly-once replay when a session sent it.
 *
 * A handler writes through `database`, the same insert, patch, replace and
 * delete ops user code reaches (database-syscalls.ts), so the schema's
 * validators and the system-field rules hold for the dashboard as for
 * anyone. Its expected failures (a document the schema refuses) are
 * outcomes, which commit nothing; only bugs throw.
 */
import type { Value } from 'convex/values';
import type { Transaction } from '../store/store.ts';
import type { DatabaseSyscalls } from './database-syscalls.ts';
import type { LoadedFunctions } from './load-functions.ts';
import type { ValidatorJson } from './validator.ts';

/** What a system mutation may reach. */
export interface SystemMutationContext {
  /** The attempt's transaction: committed only when the handler succeeds. */
  tx: Transaction;
  /** The mutation ops over `tx`, checking the deployed schema. */
  database: DatabaseSyscalls;
  /** The deployed code. */
  functions: LoadedFunctions;
}

export type SystemMutationOutcome =
  | { success: true; value: Value }
  | { success: false; errorMessage: string; errorData?: Value };

export interface SystemMutation {
  /** The validator of the arguments object. */
  args: ValidatorJson;
  handler(
    context: SystemMutationContext,
    args: Record<string, Value>,
  ): Promise<SystemMutationOutcome>;
}

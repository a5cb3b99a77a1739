/**
 * The failure of a mutation that lost to other writes on every retry (OCC),
 * as Convex words it, and how to tell it from the function's own errors: a
 * client sees it as a failure, but the scheduler runs such a job again
 * later, as Convex does, since nothing the function did decided it. A
 * function's own errors start with `Uncaught`, so they never read as this.
 */
import type { FunctionResult } from './function-result.ts';

const PREFIX = 'Documents read from or written to the "';

export function writeConflictMessage(table: string, id: string): string {
  return `${PREFIX}${table}" table changed while this mutation was being run and on every subsequent retry (conflict on ${id || table}). Another call to this mutation changed the same documents.`;
}

export function isWriteConflict(result: FunctionResult): boolean {
  return !result.success && result.errorMessage.startsWith(PREFIX);
}

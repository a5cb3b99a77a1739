/**
 * The only generic helpers: invariants that, when broken, mean a bug in
 * Converge, never bad input (bad input is a value, see src/protocol).
 */

/** Ends an exhaustive switch: the type system proves it is never reached. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

/** Narrows `value` to non-null, or throws naming what was expected. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined)
    throw new Error(`expected ${what}`);
  return value;
}

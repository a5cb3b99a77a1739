/**
 * The deployment's environment variables, which functions see as
 * `process.env`: kept in the private system table `_environment_variables`
 * (so they survive restarts and every process sharing the store sees the
 * same ones), changed by the admin API as `npx convex env set` sends it,
 * with Convex's limits (docs.convex.dev, "Environment Variables"): names of
 * at most 256 letters, digits and underscores starting with a letter,
 * values of at most 8 KiB, at most 512 variables and 512 KiB in all.
 */
import type { Document, DocumentStore, Transaction } from '../store/store.ts';
import { systemTransaction } from './system-transaction.ts';
import { watchTable } from './table-watch.ts';

export const ENVIRONMENT_VARIABLES = '_environment_variables';

/** One change: a value to set, or null to remove the variable. */
export interface EnvironmentChange {
  name: string;
  value: string | null;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,255}$/;
const MAX_VALUE_BYTES = 8 * 1024;
const MAX_VARIABLES = 512;
const MAX_TOTAL_BYTES = 512 * 1024;
/** More rows than the limit allows, so a scan never stops short. */
const SCAN_LIMIT = MAX_VARIABLES + 1;

export type EnvironmentResult =
  | { success: true; environment: Record<string, string> }
  | { success: false; error: string };

export async function storedEnvironment(
  store: DocumentStore,
): Promise<Record<string, string>> {
  const tx = await store.begin();
  return Object.fromEntries(
    [...(await variables(tx)).values()].map((v) => [v.name, v.value]),
  );
}

/** Whether two environments hold the same variables with the same values. */
export function sameEnvironment(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
  );
}

/**
 * Calls `changed` with the stored variables after every commit that wrote
 * them, whichever process made it, one read at a time and in commit order;
 * returns the way to stop.
 */
export function watchEnvironment(
  store: DocumentStore,
  changed: (environment: Record<string, string>) => void,
  onError: (error: unknown) => void,
): () => void {
  return watchTable(
    store,
    ENVIRONMENT_VARIABLES,
    async () => {
      changed(await storedEnvironment(store));
    },
    onError,
  );
}

/** Applies the changes in one transaction: all of them, or none when one breaks a rule. */
export async function changeEnvironment(
  store: DocumentStore,
  changes: readonly EnvironmentChange[],
): Promise<EnvironmentResult> {
  for (const change of changes) {
    const problem = changeProblem(change);
    if (problem) return { success: false, error: problem };
  }
  return systemTransaction(store, async (tx): Promise<EnvironmentResult> => {
    const current = await variables(tx);
    const next = new Map(
      [...current.values()].map((v) => [v.name, v.value] as const),
    );
    for (const { name, value } of changes)
      if (value === null) next.delete(name);
      else next.set(name, value);
    const total = [...next].reduce(
      (sum, [name, value]) =>
        sum + Buffer.byteLength(name) + Buffer.byteLength(value),
      0,
    );
    // Checked before any write: a refused change leaves nothing to commit.
    if (next.size > MAX_VARIABLES || total > MAX_TOTAL_BYTES)
      return {
        success: false,
        error: `A deployment may have at most ${MAX_VARIABLES} environment variables of at most ${MAX_TOTAL_BYTES / 1024} KiB in all.`,
      };
    for (const [name, existing] of current)
      if (!next.has(name)) await tx.delete(existing.id);
    for (const [name, value] of next) {
      const existing = current.get(name);
      if (!existing) await tx.insert(ENVIRONMENT_VARIABLES, { name, value });
      else if (existing.value !== value) await tx.patch(existing.id, { value });
    }
    return { success: true, environment: Object.fromEntries(next) };
  });
}

function changeProblem({ name, value }: EnvironmentChange): string | null {
  if (!NAME.test(name))
    return `Invalid environment variable name "${name}": it must start with a letter, contain only letters, numbers and underscores, and be at most 256 characters long.`;
  if (value !== null && Buffer.byteLength(value) > MAX_VALUE_BYTES)
    return `The value of environment variable ${name} is larger than ${MAX_VALUE_BYTES / 1024} KiB.`;
  return null;
}

/** The stored variables by name, read in `tx` (and so in its read set). */
export async function variables(
  tx: Transaction,
): Promise<Map<string, { id: string; name: string; value: string }>> {
  const found = new Map<string, { id: string; name: string; value: string }>();
  // Scanned even before the table exists: the read of its absence is what
  // the first variable's commit invalidates.
  const { documents } = await tx.scan({
    table: ENVIRONMENT_VARIABLES,
    index: 'by_creation_time',
    eq: [],
    order: 'asc',
    limit: SCAN_LIMIT,
  });
  for (const document of documents)
    found.set(nameOf(document), entry(document));
  return found;
}

function nameOf(document: Document): string {
  return document['name'] as string;
}

function entry(document: Document): {
  id: string;
  name: string;
  value: string;
} {
  return {
    id: document._id,
    name: nameOf(document),
    value: document['value'] as string,
  };
}

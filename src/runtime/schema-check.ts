/**
 * Whether the documents already stored satisfy a new schema, as a Convex
 * push checks before the schema goes live (convex-cli-and-guarantees.md
 * §1.5): every table whose document validator the push changes is read
 * whole, at one snapshot, a page per transaction so that no transaction
 * passes Convex's read limits (table-pages.ts). The first document that
 * does not match ends the check with Convex's message naming it.
 *
 * Writes made after the check meet the new validators when they run
 * (database-syscalls.ts), so a push cannot leave a document that breaks a
 * schema it made live, except one written between the check and the swap.
 */
import type { DocumentStore } from '../store/store.ts';
import { documentValidatorsOf } from './schema-validators.ts';
import { tablePages } from './table-pages.ts';
import { validationError } from './validator.ts';

export type SchemaCheck =
  { success: true } | { success: false; table: string; error: string };

export async function checkStoredDocuments(
  store: DocumentStore,
  next: unknown,
  previous: unknown,
): Promise<SchemaCheck> {
  const validators = documentValidatorsOf(next);
  const before = documentValidatorsOf(previous);
  const ts = await store.latestTs();
  for (const [table, validator] of validators) {
    if (JSON.stringify(before.get(table)) === JSON.stringify(validator))
      continue;
    for await (const { documents, tx } of tablePages(store, table, { ts }))
      for (const document of documents) {
        const { _id, _creationTime: _time, ...fields } = document;
        const problem = validationError(validator, fields, tx);
        if (problem !== null)
          return {
            success: false,
            table,
            error: `Schema validation failed.\nDocument with ID "${_id}" in table "${table}" does not match the schema: ${problem}`,
          };
      }
  }
  return { success: true };
}

/**
 * Reading the state documents of snapshot jobs (`_exports`,
 * `_snapshot_imports`): the newest, in a transaction given (a system query's,
 * so that it reruns when the state changes), or all of them, a page per
 * transaction (when a starting server fails the jobs an earlier run left).
 */
import type { Document, DocumentStore, Transaction } from '../store/store.ts';
import { tablePages } from './table-pages.ts';

export async function latestDocument(
  tx: Transaction,
  table: string,
): Promise<Document | null> {
  const { documents } = await tx.scan({
    table,
    index: 'by_creation_time',
    eq: [],
    order: 'desc',
    limit: 1,
  });
  return documents[0] ?? null;
}

export async function allDocuments(
  store: DocumentStore,
  table: string,
): Promise<Document[]> {
  const found: Document[] = [];
  for await (const page of tablePages(store, table))
    found.push(...page.documents);
  return found;
}

/**
 * `ctx.vectorSearch` (an action's `1.0/actions/vectorSearch`,
 * convex-runtime.md §2.4): the documents of a table nearest to a vector by
 * cosine similarity, among those whose filter fields match, as
 * `{_id, _score}` best first; 10 by default, at most 256.
 *
 * It is exact and a scan of the table at the latest snapshot, not an
 * approximate index: right for the sizes a single machine's tables hold in
 * memory, and never out of date.
 */
import type { JSONValue } from 'convex/values';
import { documentField } from '../store/catalog.ts';
import type { Document, DocumentStore } from '../store/store.ts';
import { maybeValue } from './filter-expression.ts';
import type { VectorIndexDefinition } from './search-indexes.ts';
import { sameValue, tableDocuments } from './search-stream.ts';

/** Convex's limits (crates/vector/src/lib.rs). */
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 256;

/** The filter `q.eq(field, value)` and `q.or(...)` of a vector search, as convex/server sends it. */
type VectorFilter =
  | { $eq: [{ $field: string }, { $literal: JSONValue }] }
  | { $or: VectorFilter[] }
  | null;

export interface VectorQuery {
  indexName: string;
  vector: number[];
  limit?: number;
  expressions: VectorFilter;
}

export async function vectorSearch(
  store: DocumentStore,
  indexes: ReadonlyMap<string, VectorIndexDefinition>,
  query: VectorQuery,
): Promise<{ results: { _id: string; _score: number }[] }> {
  const index = indexes.get(query.indexName);
  if (!index) throw new Error(`Index ${query.indexName} not found.`);
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new Error(
      `Vector search limit must be an integer between 1 and ${MAX_LIMIT}, got ${limit}.`,
    );
  if (query.vector.length !== index.dimensions)
    throw new Error(
      `Vector search of ${query.indexName} needs a vector of ${index.dimensions} dimensions, got ${query.vector.length}.`,
    );
  checkFilterFields(query.expressions, index, query.indexName);
  const scored: { _id: string; _score: number }[] = [];
  const tx = await store.begin();
  for await (const document of tableDocuments(tx, index.table)) {
    const vector = documentField(document, index.vectorField);
    if (!Array.isArray(vector) || vector.length !== index.dimensions) continue;
    if (!passes(query.expressions, document)) continue;
    scored.push({
      _id: document._id,
      _score: cosine(query.vector, vector as number[]),
    });
  }
  scored.sort((a, b) => b._score - a._score);
  return { results: scored.slice(0, limit) };
}

function checkFilterFields(
  filter: VectorFilter,
  index: VectorIndexDefinition,
  indexName: string,
): void {
  if (filter === null) return;
  if ('$or' in filter) {
    for (const inner of filter.$or) checkFilterFields(inner, index, indexName);
    return;
  }
  const field = filter.$eq[0].$field;
  if (!index.filterFields.includes(field))
    throw new Error(
      `Vector search of ${indexName} filters on "${field}", which is not one of its filter fields.`,
    );
}

function passes(filter: VectorFilter, document: Document): boolean {
  if (filter === null) return true;
  if ('$or' in filter)
    return filter.$or.some((inner) => passes(inner, document));
  const [{ $field }, { $literal }] = filter.$eq;
  return sameValue(documentField(document, $field), maybeValue($literal));
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

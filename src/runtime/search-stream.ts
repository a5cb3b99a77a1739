/**
 * SearchStream: a `withSearchIndex(...)` query (convex-runtime.md §3.1):
 * the documents of a table whose search field matches the query's terms and
 * whose filter fields equal the given values, in relevance order, at most
 * 1024, then the query's operators.
 *
 * It is a scan, not an inverted index: it reads the whole table (so its read
 * set is the table, which makes it reactive to every write there) and ranks
 * with BM25 over the matching documents, as Convex ranks with BM25. Terms
 * are lowercased runs of letters and digits; the last term also matches as
 * a prefix, as on Convex. Convex's typo tolerance is not reproduced.
 */
import { type JSONValue, compareValues } from 'convex/values';
import { documentField } from '../store/catalog.ts';
import { encodeIndexKey } from '../store/index-key.ts';
import type { Document, Transaction } from '../store/store.ts';
import { maybeValue } from './filter-expression.ts';
import { OperatorPipeline } from './operator-pipeline.ts';
import type { Positioned, StreamBounds } from './query-stream.ts';
import type { SearchIndexDefinition } from './search-indexes.ts';
import type { SerializedQuery } from './serialized-query.ts';
import { compareKeys } from '../store/compare-keys.ts';

/** Convex's limits (crates/search/src/constants.rs). */
const MAX_RESULTS = 1024;
const MAX_TERMS = 16;
const MAX_FILTERS = 8;
const MAX_TERM_BYTES = 32;
/** The usual BM25 constants, which tantivy uses too. */
const K1 = 1.2;
const B = 0.75;
const SCAN_BATCH = 1024;

interface SearchFilter {
  type: 'Search' | 'Eq';
  fieldPath: string;
  value: JSONValue;
}

export class SearchStream {
  readonly #tx: Transaction;
  readonly #index: SearchIndexDefinition;
  readonly #indexName: string;
  readonly #filters: SearchFilter[];
  readonly #pipeline: OperatorPipeline;
  readonly #bounds: StreamBounds;
  #ranked: Positioned[] | null = null;
  rowsRead = 0;

  constructor(
    tx: Transaction,
    index: SearchIndexDefinition,
    query: SerializedQuery,
    bounds: StreamBounds = {},
  ) {
    if (query.source.type !== 'Search')
      throw new Error('SearchStream needs a search query');
    this.#tx = tx;
    this.#index = index;
    this.#indexName = query.source.indexName;
    this.#filters = query.source.filters as SearchFilter[];
    this.#pipeline = new OperatorPipeline(query.operators);
    this.#bounds = bounds;
  }

  async next(): Promise<Positioned | null> {
    this.#ranked ??= await this.#rank();
    for (;;) {
      if (this.#pipeline.exhausted) return null;
      const candidate = this.#ranked.shift();
      if (!candidate) return null;
      const { after, until } = this.#bounds;
      if (after && compareKeys(candidate.key, after) <= 0) continue;
      if (until && compareKeys(candidate.key, until) > 0) return null;
      this.rowsRead += 1;
      if (this.#pipeline.admit(candidate.document)) return candidate;
    }
  }

  async #rank(): Promise<Positioned[]> {
    const searches = this.#filters.filter((f) => f.type === 'Search');
    const equalities = this.#filters.filter((f) => f.type === 'Eq');
    const search = searches[0];
    if (searches.length !== 1 || !search)
      throw new Error(
        `Search query against ${this.#indexName} must contain exactly one search filter.`,
      );
    if (search.fieldPath !== this.#index.searchField)
      throw new Error(
        `Search query against ${this.#indexName} searches "${search.fieldPath}", but the index searches "${this.#index.searchField}".`,
      );
    if (equalities.length > MAX_FILTERS)
      throw new Error(
        `Search query against ${this.#indexName} has ${equalities.length} filter conditions; at most ${MAX_FILTERS} are allowed.`,
      );
    for (const { fieldPath } of equalities)
      if (!this.#index.filterFields.includes(fieldPath))
        throw new Error(
          `Search query against ${this.#indexName} filters on "${fieldPath}", which is not one of its filter fields.`,
        );
    if (typeof search.value !== 'string')
      throw new Error(
        `Search query against ${this.#indexName} must search for a string.`,
      );
    const terms = queryTerms(search.value);
    if (terms.length === 0) return [];

    const matching: { document: Document; tokens: string[] }[] = [];
    for await (const document of tableDocuments(this.#tx, this.#index.table)) {
      if (
        !equalities.every(({ fieldPath, value }) =>
          sameValue(documentField(document, fieldPath), maybeValue(value)),
        )
      )
        continue;
      const text = documentField(document, this.#index.searchField);
      if (typeof text !== 'string') continue;
      const tokens = tokenize(text);
      if (tokens.some((token) => matchesAny(token, terms)))
        matching.push({ document, tokens });
    }
    return bm25(matching, terms)
      .slice(0, MAX_RESULTS)
      .map(({ document, score }) => ({
        document,
        key: encodeIndexKey([-score, -document._creationTime, document._id]),
      }));
  }
}

/** Every document of a table, in batches; the scans put the whole table in the read set. */
export async function* tableDocuments(
  tx: Transaction,
  table: string,
): AsyncGenerator<Document> {
  if (tx.tableNumber(table) === null) return;
  let after: Buffer | undefined;
  for (;;) {
    const { documents, lastKey, exhausted } = await tx.scan({
      table,
      index: 'by_creation_time',
      eq: [],
      order: 'asc',
      limit: SCAN_BATCH,
      after,
    });
    yield* documents;
    if (exhausted || lastKey === undefined) return;
    after = lastKey;
  }
}

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The query's terms: at most 16, none over 32 bytes; the last one may match as a prefix. */
function queryTerms(text: string): { term: string; prefix: boolean }[] {
  const terms = tokenize(text)
    .filter((term) => Buffer.byteLength(term) <= MAX_TERM_BYTES)
    .slice(0, MAX_TERMS);
  return terms.map((term, i) => ({ term, prefix: i === terms.length - 1 }));
}

function matchesAny(
  token: string,
  terms: { term: string; prefix: boolean }[],
): boolean {
  return terms.some(({ term, prefix }) =>
    prefix ? token.startsWith(term) : token === term,
  );
}

function bm25(
  documents: { document: Document; tokens: string[] }[],
  terms: { term: string; prefix: boolean }[],
): { document: Document; score: number }[] {
  const count = documents.length;
  const averageLength =
    documents.reduce((sum, d) => sum + d.tokens.length, 0) / (count || 1);
  const frequencies = terms.map((term) =>
    documents.map(
      ({ tokens }) =>
        tokens.filter((token) => matchesAny(token, [term])).length,
    ),
  );
  const scored = documents.map(({ document, tokens }, i) => {
    let score = 0;
    for (const perDocument of frequencies) {
      const tf = perDocument[i] ?? 0;
      if (tf === 0) continue;
      const containing = perDocument.filter((f) => f > 0).length;
      const idf = Math.log(1 + (count - containing + 0.5) / (containing + 0.5));
      score +=
        (idf * tf * (K1 + 1)) /
        (tf + K1 * (1 - B + (B * tokens.length) / (averageLength || 1)));
    }
    return { document, score };
  });
  return scored.sort(
    (a, b) =>
      b.score - a.score || b.document._creationTime - a.document._creationTime,
  );
}

/** Equality of possibly missing values: missing equals only missing. */
export function sameValue(
  a: ReturnType<typeof maybeValue>,
  b: ReturnType<typeof maybeValue>,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return compareValues(a, b) === 0;
}

/**
 * The text and vector indexes a schema declares (`defineSchema(...).export()`:
 * each table's `searchIndexes` and `vectorIndexes`, convex-runtime.md §4.7),
 * by their `table.index` names as queries and `ctx.vectorSearch` send them.
 * Staged ones are left out: Convex does not let them serve.
 */

export interface SearchIndexDefinition {
  table: string;
  searchField: string;
  filterFields: readonly string[];
}

export interface VectorIndexDefinition {
  table: string;
  vectorField: string;
  dimensions: number;
  filterFields: readonly string[];
}

export interface SearchIndexes {
  search: ReadonlyMap<string, SearchIndexDefinition>;
  vector: ReadonlyMap<string, VectorIndexDefinition>;
}

interface SchemaTables {
  tables?: {
    tableName: string;
    searchIndexes?: {
      indexDescriptor: string;
      searchField: string;
      filterFields?: string[];
    }[];
    vectorIndexes?: {
      indexDescriptor: string;
      vectorField: string;
      dimensions: number;
      filterFields?: string[];
    }[];
  }[];
}

export function searchIndexesOf(schema: unknown): SearchIndexes {
  const search = new Map<string, SearchIndexDefinition>();
  const vector = new Map<string, VectorIndexDefinition>();
  for (const table of (schema as SchemaTables | null)?.tables ?? []) {
    for (const index of table.searchIndexes ?? [])
      search.set(`${table.tableName}.${index.indexDescriptor}`, {
        table: table.tableName,
        searchField: index.searchField,
        filterFields: index.filterFields ?? [],
      });
    for (const index of table.vectorIndexes ?? [])
      vector.set(`${table.tableName}.${index.indexDescriptor}`, {
        table: table.tableName,
        vectorField: index.vectorField,
        dimensions: index.dimensions,
        filterFields: index.filterFields ?? [],
      });
  }
  return { search, vector };
}

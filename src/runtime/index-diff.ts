/**
 * The index changes between two schemas (`defineSchema(...).export()`), as
 * a push reports them to the CLI, which prints them and asks before
 * deleting large ones (convex-cli-and-guarantees.md §1.3, §1.5): database,
 * search and vector indexes, each named `table.index`. An index whose
 * definition changed is removed and added, as Convex counts it.
 */

export type IndexConfig =
  | { type: 'database'; name: string; fields: string[] }
  | {
      type: 'search';
      name: string;
      searchField: string;
      filterFields: string[];
    }
  | {
      type: 'vector';
      name: string;
      vectorField: string;
      dimensions: number;
      filterFields: string[];
    };

export interface IndexDiff {
  added: IndexConfig[];
  removed: IndexConfig[];
}

interface SchemaIndexes {
  tables?: {
    tableName: string;
    indexes?: { indexDescriptor: string; fields: string[] }[];
    searchIndexes?:
      | {
          indexDescriptor: string;
          searchField: string;
          filterFields: string[];
        }[]
      | null;
    vectorIndexes?:
      | {
          indexDescriptor: string;
          vectorField: string;
          dimensions?: number;
          filterFields: string[];
        }[]
      | null;
  }[];
}

export function indexDiff(previous: unknown, next: unknown): IndexDiff {
  const before = indexesOf(previous);
  const after = indexesOf(next);
  const same = (a: IndexConfig, b: IndexConfig | undefined): boolean =>
    b !== undefined && JSON.stringify(a) === JSON.stringify(b);
  return {
    added: [...after.values()].filter((i) => !same(i, before.get(i.name))),
    removed: [...before.values()].filter((i) => !same(i, after.get(i.name))),
  };
}

/** A schema's indexes by `table.index`; the database ones with `_creationTime` last, as Convex keys them. */
function indexesOf(schema: unknown): Map<string, IndexConfig> {
  const found = new Map<string, IndexConfig>();
  for (const table of (schema as SchemaIndexes | null)?.tables ?? []) {
    const name = (descriptor: string): string =>
      `${table.tableName}.${descriptor}`;
    for (const index of table.indexes ?? [])
      found.set(name(index.indexDescriptor), {
        type: 'database',
        name: name(index.indexDescriptor),
        fields: [...index.fields, '_creationTime'],
      });
    for (const index of table.searchIndexes ?? [])
      found.set(name(index.indexDescriptor), {
        type: 'search',
        name: name(index.indexDescriptor),
        searchField: index.searchField,
        filterFields: index.filterFields,
      });
    for (const index of table.vectorIndexes ?? [])
      found.set(name(index.indexDescriptor), {
        type: 'vector',
        name: name(index.indexDescriptor),
        vectorField: index.vectorField,
        dimensions: index.dimensions ?? 0,
        filterFields: index.filterFields,
      });
  }
  return found;
}

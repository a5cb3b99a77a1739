import { describe, expect, test } from 'vitest';
import {
  type RangeExpression,
  type SerializedQuery,
  compileQuery,
} from './serialized-query.ts';

const byAb = { fields: ['a', 'b', '_creationTime', '_id'], ready: true };

function indexQuery(range: RangeExpression[]): SerializedQuery {
  return {
    source: {
      type: 'IndexRange',
      indexName: 'items.by_ab',
      range,
      order: null,
    },
    operators: [],
  };
}
const eq = (fieldPath: string, value: unknown): RangeExpression => ({
  type: 'Eq',
  fieldPath,
  value: value as never,
});
const gt = (fieldPath: string, value: unknown): RangeExpression => ({
  type: 'Gt',
  fieldPath,
  value: value as never,
});
const lt = (fieldPath: string, value: unknown): RangeExpression => ({
  type: 'Lt',
  fieldPath,
  value: value as never,
});

describe('compileQuery()', () => {
  test('a full table scan reads by_creation_time', () => {
    const query: SerializedQuery = {
      source: { type: 'FullTableScan', tableName: 'items', order: 'desc' },
      operators: [{ limit: 3 }],
    };
    expect(
      compileQuery(query, { fields: ['_creationTime', '_id'], ready: true }),
    ).toEqual({
      table: 'items',
      index: 'by_creation_time',
      fields: ['_creationTime', '_id'],
      order: 'desc',
      eq: [],
      operators: [{ limit: 3 }],
    });
  });

  test('equalities in any order become the index-order prefix; a bound follows them', () => {
    const compiled = compileQuery(indexQuery([eq('b', 2), eq('a', 1)]), byAb);
    expect(compiled.eq).toEqual([1, 2]);
    const bounded = compileQuery(
      indexQuery([eq('a', 1), gt('b', 5), lt('b', 9)]),
      byAb,
    );
    expect(bounded).toMatchObject({
      eq: [1],
      lower: { value: 5, inclusive: false },
      upper: { value: 9, inclusive: false },
    });
    expect(
      compileQuery(indexQuery([eq('a', { $undefined: null })]), byAb).eq,
    ).toEqual([undefined]);
  });

  test('Convex compile errors', () => {
    expect(() => compileQuery(indexQuery([eq('c', 1)]), byAb)).toThrow(
      'The index range included a comparison with "c", but items.by_ab with fields [a, b, _creationTime, _id] doesn\'t index this field.',
    );
    expect(() =>
      compileQuery(indexQuery([eq('a', 1), eq('a', 2)]), byAb),
    ).toThrow(
      'Already defined equality bound in index range. Can\'t add "a" == 2.',
    );
    expect(() =>
      compileQuery(
        indexQuery([gt('a', 1), { type: 'Gte', fieldPath: 'a', value: 2 }]),
        byAb,
      ),
    ).toThrow(
      'Already defined lower bound in index range. Can\'t add "a" >= 2.',
    );
    expect(() =>
      compileQuery(
        indexQuery([eq('a', 1), gt('b', 1), lt('_creationTime', 5)]),
        byAb,
      ),
    ).toThrow(
      'This query against index items.by_ab attempted to set a range bound on both "b" and "_creationTime".',
    );
    expect(() => compileQuery(indexQuery([eq('b', 1)]), byAb)).toThrow(
      "Tried to query index items.by_ab but the query didn't use the index fields in order.",
    );
  });
});

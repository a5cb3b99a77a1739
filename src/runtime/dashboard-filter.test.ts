import type { JSONValue } from 'convex/values';
import { describe, expect, test } from 'vitest';
import type { Document } from '../store/store.ts';
import { dashboardFilter } from './dashboard-filter.ts';

function encoded(filter: Record<string, JSONValue>): string {
  return Buffer.from(JSON.stringify(filter)).toString('base64');
}

function filterOf(filter: Record<string, JSONValue> | null) {
  const result = dashboardFilter(filter === null ? null : encoded(filter));
  if (!result.success) throw new Error(result.errorMessage);
  return result.filter;
}

const doc = (fields: Record<string, unknown>) =>
  ({ _id: 'id', _creationTime: 1, ...fields }) as Document;

describe('dashboardFilter', () => {
  test('no filters, or only disabled and fieldless clauses, let everything through', () => {
    for (const filter of [
      null,
      { clauses: [] },
      {
        clauses: [
          { op: 'eq', field: 'a', value: 1, enabled: false },
          { op: 'eq', value: 1 },
          { op: 'anyOf', field: 'a', value: [] },
        ],
      },
    ]) {
      const parsed = filterOf(filter);
      expect(parsed.empty).toBe(true);
      expect(parsed.matches(doc({}))).toBe(true);
    }
  });

  test('values arrive in Convex JSON and compare in Convex’s order', () => {
    const big = filterOf({
      clauses: [{ op: 'gte', field: 'n', value: { $integer: 'BQAAAAAAAAA=' } }],
    });
    // An int64 5 and above; a float64 sorts after every int64, a missing field before.
    expect(big.matches(doc({ n: 5n }))).toBe(true);
    expect(big.matches(doc({ n: 4n }))).toBe(false);
    expect(big.matches(doc({ n: 1.5 }))).toBe(true);
    expect(big.matches(doc({}))).toBe(false);
    const nested = filterOf({
      clauses: [{ op: 'eq', field: 'address.city', value: 'Oslo' }],
    });
    expect(nested.matches(doc({ address: { city: 'Oslo' } }))).toBe(true);
    expect(nested.matches(doc({ address: 'Oslo' }))).toBe(false);
  });

  test('the order a filter names is kept for the query', () => {
    expect(filterOf({ clauses: [], order: 'asc' }).order).toBe('asc');
    expect(filterOf({ clauses: [] }).order).toBe(null);
  });

  test('what it cannot read, it refuses with the reason', () => {
    expect(dashboardFilter('%%%')).toEqual({
      success: false,
      errorMessage: 'Invalid filters: not base64 of JSON.',
    });
    expect(
      dashboardFilter(encoded({ clauses: [{ op: 'type', field: 'a' }] })),
    ).toEqual({
      success: false,
      errorMessage: 'Invalid filters: clause 0: unknown op "type".',
    });
    expect(
      dashboardFilter(
        encoded({ clauses: [{ op: 'anyOf', field: 'a', value: 1 }] }),
      ),
    ).toEqual({
      success: false,
      errorMessage:
        'Invalid filters: clause 0: `anyOf` takes an array of values.',
    });
  });
});

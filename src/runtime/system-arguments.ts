/**
 * The argument validators the system queries share, as the JSON of
 * `convex/values` validators: `paginationOptsValidator` and the type its
 * handlers read it as, an order, a string or null, and the `componentId`
 * that newer Convex tools send and Converge (which has only the app) takes
 * and ignores.
 */
import type { ValidatorJson } from './validator.ts';

export const STRING_OR_NULL: ValidatorJson = {
  type: 'union',
  value: [{ type: 'string' }, { type: 'null' }],
};

export const ORDER: ValidatorJson = {
  type: 'union',
  value: [
    { type: 'literal', value: 'asc' },
    { type: 'literal', value: 'desc' },
  ],
};

/** `paginationOptsValidator` of `convex/server`, as its JSON. */
export const PAGINATION_OPTS: ValidatorJson = {
  type: 'object',
  value: {
    numItems: { fieldType: { type: 'number' }, optional: false },
    cursor: { fieldType: STRING_OR_NULL, optional: false },
    endCursor: { fieldType: STRING_OR_NULL, optional: true },
    id: { fieldType: { type: 'number' }, optional: true },
    maximumRowsRead: { fieldType: { type: 'number' }, optional: true },
    maximumBytesRead: { fieldType: { type: 'number' }, optional: true },
  },
};

/** What PAGINATION_OPTS lets through, as a handler reads it. */
export interface PaginationOpts {
  numItems: number;
  cursor: string | null;
  endCursor?: string | null;
}

/** The arguments of a query that takes only the component it is about. */
export const COMPONENT_ONLY: ValidatorJson = {
  type: 'object',
  value: { componentId: { fieldType: STRING_OR_NULL, optional: true } },
};

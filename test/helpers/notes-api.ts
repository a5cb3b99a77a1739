/**
 * The notes functions of test/apps/e2e/notes.ts as the official client calls
 * them, typed as that app declares them: one place for the references the
 * end-to-end tests share.
 */
import { makeFunctionReference } from 'convex/server';
import type { GenericId } from 'convex/values';

export interface Note {
  _id: GenericId<'notes'>;
  _creationTime: number;
  list: string;
  text: string;
  author?: string;
}

export const list = makeFunctionReference<'query', { list: string }, Note[]>(
  'notes:list',
);
export const count = makeFunctionReference<'query', { list: string }, number>(
  'notes:count',
);
export const add = makeFunctionReference<
  'mutation',
  { list: string; text: string },
  GenericId<'notes'>
>('notes:add');

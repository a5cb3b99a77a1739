/**
 * The index changes a push reports, between the live schema and the new one.
 */
import { expect, test } from 'vitest';
import { indexDiff } from './index-diff.ts';

const schema = (indexes: { indexDescriptor: string; fields: string[] }[]) => ({
  tables: [
    {
      tableName: 'messages',
      indexes,
      searchIndexes: [
        {
          indexDescriptor: 'search_body',
          searchField: 'body',
          filterFields: [],
        },
      ],
    },
  ],
});

test('a new index is added, a dropped one removed, and a changed one both; the rest is not mentioned', () => {
  const before = schema([
    { indexDescriptor: 'by_author', fields: ['author'] },
    { indexDescriptor: 'by_channel', fields: ['channel'] },
  ]);
  const after = schema([
    { indexDescriptor: 'by_channel', fields: ['channel', 'author'] },
    { indexDescriptor: 'by_body', fields: ['body'] },
  ]);
  expect(indexDiff(before, after)).toEqual({
    added: [
      {
        type: 'database',
        name: 'messages.by_channel',
        fields: ['channel', 'author', '_creationTime'],
      },
      {
        type: 'database',
        name: 'messages.by_body',
        fields: ['body', '_creationTime'],
      },
    ],
    removed: [
      {
        type: 'database',
        name: 'messages.by_author',
        fields: ['author', '_creationTime'],
      },
      {
        type: 'database',
        name: 'messages.by_channel',
        fields: ['channel', '_creationTime'],
      },
    ],
  });
});

test('from no schema every index is new, and to no schema every index goes', () => {
  const only = schema([]);
  const search = {
    type: 'search',
    name: 'messages.search_body',
    searchField: 'body',
    filterFields: [],
  };
  expect(indexDiff(null, only)).toEqual({ added: [search], removed: [] });
  expect(indexDiff(only, null)).toEqual({ added: [], removed: [search] });
});

import { expect, test } from 'vitest';
import { Catalog, builtInIndexes, indexId } from './catalog.ts';

const byAuthor = (tableNumber: number, slot = 2) => ({
  id: indexId(tableNumber, slot),
  tableNumber,
  name: 'by_author',
  fields: ['author', '_creationTime', '_id'],
  ready: true,
});

test('a catalog adopts the tables another process created, with their indexes', () => {
  const catalog = new Catalog();
  catalog.addTable({ name: 'messages', number: 10_001 });
  catalog.adopt(
    [
      { name: 'messages', number: 10_001 },
      { name: 'users', number: 10_002 },
    ],
    [...builtInIndexes(10_001), byAuthor(10_001), ...builtInIndexes(10_002)],
  );
  expect(catalog.table('users')).toEqual({ name: 'users', number: 10_002 });
  expect(catalog.index(10_001, 'by_author')).toEqual(byAuthor(10_001));
  expect(catalog.indexes(10_002).map((i) => i.name)).toEqual([
    'by_id',
    'by_creation_time',
  ]);
  // Nothing moved: transactions begun before may still commit.
  expect(catalog.epoch).toBe(0);
});

test('a dropped index disappears, and a table the other process renumbered moves here under a new epoch', () => {
  const catalog = new Catalog();
  catalog.addTable({ name: 'messages', number: 10_001 });
  catalog.setIndexes(10_001, [...builtInIndexes(10_001), byAuthor(10_001)]);
  catalog.adopt([{ name: 'messages', number: 10_007 }], builtInIndexes(10_007));
  expect(catalog.table('messages')?.number).toBe(10_007);
  expect(catalog.tableByNumber(10_001)).toBeUndefined();
  expect(catalog.index(10_007, 'by_author')).toBeUndefined();
  expect(catalog.epoch).toBe(1);
});

test('a table this process reserved a number for, created elsewhere, takes the stored number', () => {
  const catalog = new Catalog();
  expect(catalog.reserveTableNumber('tasks')).toBe(10_001);
  catalog.adopt([{ name: 'tasks', number: 10_003 }], builtInIndexes(10_003));
  expect(catalog.reserveTableNumber('tasks')).toBe(10_003);
});

import { expect, test } from 'vitest';
import { encodeIndexKey } from './index-key.ts';
import { rangeInterval, successor } from './key-range.ts';
import { ReadSet } from './read-set.ts';
import type { DocumentWrite } from './write-set.ts';

const BY_AUTHOR = 7;
const key = (author: string, id: string) => encodeIndexKey([author, 0, id]);

function write(
  id: string,
  old: Buffer | null,
  next: Buffer | null,
  indexId = BY_AUTHOR,
): DocumentWrite {
  return { id, table: 'messages', keys: [{ indexId, old, new: next }] };
}

test('a read of a range overlaps an insert into it, and not one outside it', () => {
  const reads = new ReadSet();
  reads.add(BY_AUTHOR, rangeInterval({ eq: ['ada'] }));

  expect(reads.overlaps([write('x', null, key('bob', 'x'))])).toBeNull();
  const inside = write('y', null, key('ada', 'y'));
  expect(reads.overlaps([inside])).toEqual({
    write: inside,
    indexId: BY_AUTHOR,
  });
});

test('a document moving out of a read range overlaps through its old key', () => {
  const reads = new ReadSet();
  reads.add(BY_AUTHOR, rangeInterval({ eq: ['ada'] }));
  expect(
    reads.overlaps([write('z', key('ada', 'z'), key('bob', 'z'))]),
  ).not.toBeNull();
});

test('a partial scan records only up to the last key it returned', () => {
  // take(1) returned ada/a: a later insert of ada/b is outside what was read.
  const reads = new ReadSet();
  const { start } = rangeInterval({ eq: ['ada'] });
  reads.add(BY_AUTHOR, { start, end: successor(key('ada', 'a')) });
  expect(reads.overlaps([write('b', null, key('ada', 'b'))])).toBeNull();
  expect(reads.overlaps([write('0', null, key('ada', '0'))])).not.toBeNull();
});

test('writes to other indexes never overlap', () => {
  const reads = new ReadSet();
  reads.add(BY_AUTHOR, rangeInterval({ eq: [] }));
  expect(
    reads.overlaps([write('q', null, key('ada', 'q'), BY_AUTHOR + 1)]),
  ).toBeNull();
  expect(reads.size).toBe(1);
});

test('empty intervals are not recorded', () => {
  const reads = new ReadSet();
  reads.add(BY_AUTHOR, { start: key('b', 'x'), end: key('a', 'x') });
  expect(reads.size).toBe(0);
});

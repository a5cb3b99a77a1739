import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { expect, test } from 'vitest';
import { type KeyInterval, contains } from '../store/key-range.ts';
import { IntervalIndex } from './interval-index.ts';

const key = (...bytes: number[]) => Buffer.from(bytes);
const interval = (start: Buffer, end: Buffer | null): KeyInterval => ({
  start,
  end,
});

/** Every value whose interval holds `at`, sorted. */
function stabbed<V>(index: IntervalIndex<V>, at: Uint8Array): V[] {
  const found: V[] = [];
  index.stab(at, (value) => found.push(value));
  return found.sort();
}

test('a key is in an interval from its start up to, not including, its end', () => {
  const index = new IntervalIndex<string>();
  index.add(interval(key(10), key(20)), 'ten to twenty');

  expect(stabbed(index, key(9))).toEqual([]);
  expect(stabbed(index, key(10))).toEqual(['ten to twenty']);
  // A longer key that starts with the start sorts after it, so it is inside.
  expect(stabbed(index, key(10, 0))).toEqual(['ten to twenty']);
  expect(stabbed(index, key(19, 255))).toEqual(['ten to twenty']);
  expect(stabbed(index, key(20))).toEqual([]);
});

test('an interval with no end holds every key from its start, and a full scan holds them all', () => {
  const index = new IntervalIndex<string>();
  index.add(interval(key(50), null), 'from fifty');
  index.add(interval(key(), null), 'the whole table');

  expect(stabbed(index, key())).toEqual(['the whole table']);
  expect(stabbed(index, key(0))).toEqual(['the whole table']);
  expect(stabbed(index, key(50))).toEqual(['from fifty', 'the whole table']);
  expect(stabbed(index, key(255, 255, 255))).toEqual([
    'from fifty',
    'the whole table',
  ]);
});

test('neighbouring intervals share a boundary key without both holding it', () => {
  const index = new IntervalIndex<string>();
  index.add(interval(key(1), key(2)), 'ones');
  index.add(interval(key(2), key(3)), 'twos');
  index.add(interval(key(3), null), 'the rest');

  expect(stabbed(index, key(2))).toEqual(['twos']);
  expect(stabbed(index, key(3))).toEqual(['the rest']);
  expect(stabbed(index, key(1, 9))).toEqual(['ones']);
});

test('identical intervals are held once, with every value that added one', () => {
  const index = new IntervalIndex<string>();
  const ada = interval(key(7, 1), key(7, 2));
  // Two queries read Ada's messages, and one of them reads them twice.
  index.add(ada, 'alice');
  index.add({ start: key(7, 1), end: key(7, 2) }, 'bob');
  index.add(ada, 'bob');
  expect(index.size).toBe(1);
  expect(stabbed(index, key(7, 1, 5))).toEqual(['alice', 'bob']);

  // One remove takes Bob off; the interval stays for Alice.
  index.remove(ada, 'bob');
  expect(stabbed(index, key(7, 1, 5))).toEqual(['alice']);
  expect(index.size).toBe(1);

  // Alice leaves too: nothing is left of it.
  index.remove(ada, 'alice');
  expect(stabbed(index, key(7, 1, 5))).toEqual([]);
  expect(index.size).toBe(0);
});

test('intervals with one start and different ends are different intervals', () => {
  const index = new IntervalIndex<string>();
  index.add(interval(key(4), key(5)), 'short');
  index.add(interval(key(4), key(9)), 'long');
  index.add(interval(key(4), null), 'open');
  expect(index.size).toBe(3);

  expect(stabbed(index, key(4))).toEqual(['long', 'open', 'short']);
  expect(stabbed(index, key(6))).toEqual(['long', 'open']);
  index.remove(interval(key(4), key(9)), 'long');
  expect(stabbed(index, key(6))).toEqual(['open']);
});

test('removing what was never added changes nothing', () => {
  const index = new IntervalIndex<string>();
  index.add(interval(key(1), key(5)), 'held');
  index.remove(interval(key(1), key(5)), 'someone else');
  index.remove(interval(key(1), key(6)), 'held');
  expect(index.size).toBe(1);
  expect(stabbed(index, key(3))).toEqual(['held']);
});

test('through thousands of random adds and removes, every stab agrees with a plain list', () => {
  const rng = xoroshiro128plus(8);
  const int = (from: number, to: number) => uniformInt(rng, from, to);
  // Keys of one or two bytes from a small alphabet: many overlaps, many
  // identical intervals, and every boundary case comes up.
  const randomKey = () =>
    int(0, 3) === 0 ? key(int(0, 6)) : key(int(0, 6), int(0, 6));
  const randomInterval = (): KeyInterval => {
    const start = int(0, 9) === 0 ? key() : randomKey();
    const end = int(0, 6) === 0 ? null : randomKey();
    return { start, end };
  };

  const index = new IntervalIndex<number>();
  const held: { interval: KeyInterval; value: number }[] = [];
  for (let step = 0; step < 4000; step++) {
    if (held.length > 0 && int(0, 2) === 0) {
      // A random held pair goes, sometimes under a copy of its interval.
      const [gone] = held.splice(int(0, held.length - 1), 1);
      if (gone) index.remove({ ...gone.interval }, gone.value);
    } else {
      const value = int(0, 40);
      const added = randomInterval();
      index.add(added, value);
      const same = held.some(
        (pair) =>
          pair.value === value &&
          pair.interval.start.equals(added.start) &&
          (pair.interval.end === null
            ? added.end === null
            : added.end !== null && pair.interval.end.equals(added.end)),
      );
      if (!same) held.push({ interval: added, value });
    }
    const at = randomKey();
    const expected = new Set(
      held
        .filter((pair) => contains(pair.interval, at))
        .map((pair) => pair.value),
    );
    const found = new Set<number>();
    index.stab(at, (value) => found.add(value));
    expect(found, `step ${step}, key ${at.toString('hex')}`).toEqual(expected);
  }
});

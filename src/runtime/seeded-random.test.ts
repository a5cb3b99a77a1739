import { expect, test } from 'vitest';
import { seededRandom } from './seeded-random.ts';

test('seededRandom() repeats its sequence for one seed and differs for another', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const seqA = Array.from({ length: 5 }, () => a.random());
  expect(Array.from({ length: 5 }, () => b.random())).toEqual(seqA);
  expect(Array.from({ length: 5 }, () => c.random())).not.toEqual(seqA);
  for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
});

test('seededRandom().fill() gives the same bytes for the same seed', () => {
  const bytes = seededRandom(7).fill(new Uint8Array(10));
  expect(seededRandom(7).fill(new Uint8Array(10))).toEqual(bytes);
  expect(new Set(bytes).size).toBeGreaterThan(1);
});

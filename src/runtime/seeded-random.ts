/**
 * The random numbers user code sees in queries and mutations: drawn from a
 * generator seeded per execution, so that a rerun makes the same choices
 * (convex-runtime.md §5.3; Convex seeds ChaCha12, we seed xoroshiro128+ from
 * pure-rand). `Math.random`, `crypto.getRandomValues` and `crypto.randomUUID`
 * all draw from it.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface SeededRandom {
  /** Like `Math.random()`: uniform in [0, 1). */
  random(): number;
  /** Fills `bytes` with random bytes and returns it. */
  fill<T extends Uint8Array>(bytes: T): T;
}

export function seededRandom(seed: number): SeededRandom {
  const rng = xoroshiro128plus(seed);
  return {
    random: () => uniformFloat64(rng),
    fill(bytes) {
      for (let i = 0; i < bytes.length; i += 4) {
        const word = rng.next() >>> 0;
        for (let j = 0; j < 4 && i + j < bytes.length; j++)
          bytes[i + j] = (word >>> (8 * j)) & 0xff;
      }
      return bytes;
    },
  };
}

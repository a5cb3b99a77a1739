/**
 * Draw: the seeded random choices of a differential run (xoroshiro128+ from
 * pure-rand), so that a seed names everything a run does.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export class Draw {
  readonly #rng: RandomGenerator;

  constructor(seed: number) {
    this.#rng = xoroshiro128plus(seed);
  }

  /** An integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.#rng, from, to);
  }

  chance(p: number): boolean {
    return this.int(0, 999) < p * 1000;
  }

  /** One of `items`, which is never empty (some pools hold `undefined` itself). */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }
}

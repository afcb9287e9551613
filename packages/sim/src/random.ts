/**
 * The simulator's single source of randomness, on the project's one seeded generator
 * (`seededRandom` of `@webraft/core/testing`). Every random choice of a run (election
 * timeouts inside the core, network and disk delays, faults, client behaviour) is drawn from
 * one instance, so `(seed, options)` replays a run exactly.
 */
import { seededRandom } from '@webraft/core/testing';

export class Random {
  private readonly source: () => number;

  constructor(seed: number) {
    this.source = seededRandom(seed);
  }

  /** A number in [0, 1). */
  next(): number {
    return this.source();
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    return Math.floor(this.source() * 4294967296);
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }
}

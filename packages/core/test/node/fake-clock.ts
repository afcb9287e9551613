import type { Clock } from '../../src/node/state-machine.ts';

/** Lets every queued microtask (core cycles, memory network deliveries, store writes) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A virtual clock: time moves only through `advance`, and timers fire in time order. */
export class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing due timers one by one with microtasks settled in between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let nextId = 0;
      let nextAt = Infinity;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && timer.at < nextAt) {
          nextAt = timer.at;
          nextId = id;
        }
      }
      if (nextId === 0) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.time = timer.at;
      timer.callback();
    }
    this.time = end;
    await settle();
  }

  /** Advances in `stepMs` steps until `done()` or `maxMs` passed; returns whether `done()` held. */
  async until(done: () => boolean, maxMs = 10_000, stepMs = 10): Promise<boolean> {
    for (let waited = 0; waited <= maxMs; waited += stepMs) {
      if (done()) return true;
      await this.advance(stepMs);
    }
    return done();
  }
}

export { seededRandom } from '../../src/testing/random.ts';

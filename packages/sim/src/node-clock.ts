/**
 * A node's clock in the simulated world: virtual time, running at the node's own rate (clock
 * skew and clock-rate faults), with timers that are events of the simulation. A `RaftNode`
 * gets one per life; a crash abandons it, and its timers then never fire.
 */
import type { Clock } from '@webraft/core';

export interface TimerHost {
  readonly now: number;
  /** Schedules `fire` at virtual time `at`; returns a handle for `cancel`. */
  schedule(at: number, fire: () => void): number;
  cancel(handle: number): void;
}

export class NodeClock implements Clock {
  /** Local time at `since` (world time). */
  private localAt = 0;
  private since: number;
  private live = true;

  /** @param rate world ms per local ms (1.1: this node's clock runs 10 % slow). */
  constructor(
    private readonly host: TimerHost,
    private rate: number,
  ) {
    this.since = host.now;
  }

  now(): number {
    return this.localAt + (this.host.now - this.since) / this.rate;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    return this.host.schedule(this.host.now + Math.max(0, ms) * this.rate, () => {
      if (this.live) callback();
    });
  }

  clearTimeout(handle: unknown): void {
    this.host.cancel(handle as number);
  }

  /** Changes the rate from now on; local time stays continuous. Timers already set keep their time. */
  setRate(rate: number): void {
    this.localAt = this.now();
    this.since = this.host.now;
    this.rate = rate;
  }

  /** The node crashed: nothing scheduled through this clock fires any more. */
  stop(): void {
    this.live = false;
  }
}

/**
 * A recorded teaching run: it simulates a world forward in small steps, keeps a frame for
 * each step, and lets the view stand at any time already simulated. Moving back in time is a
 * lookup; changing the past (an action while scrubbed back) drops the later actions and
 * replays the run from its seed, which is exact because the world is deterministic.
 */
import type { Action } from './actions.ts';
import type { EventView, Frame } from './types.ts';
import type { World, WorldFactory } from './world.ts';

export interface SessionOptions {
  readonly seed: number;
  readonly nodes: number;
  /** PreVote and CheckQuorum off. @default false */
  readonly classic?: boolean;
  readonly actions?: readonly Action[];
  /** Virtual ms between recorded frames. @default 5 */
  readonly frameStep?: number;
}

export class Session {
  readonly seed: number;
  readonly nodes: number;
  readonly classic: boolean;
  readonly frameStep: number;
  #actions: Action[] = [];
  #world!: World;
  #frames: Frame[] = [];
  #events: EventView[] = [];
  /** Index into #actions of the next action not yet applied to #world. */
  #nextAction = 0;
  #recordedVersion = -1;

  constructor(private readonly factory: WorldFactory, options: SessionOptions) {
    this.seed = options.seed;
    this.nodes = options.nodes;
    this.classic = options.classic ?? false;
    this.frameStep = options.frameStep ?? 5;
    this.#reset([...(options.actions ?? [])].sort((a, b) => a.t - b.t));
  }

  get actions(): readonly Action[] {
    return this.#actions;
  }

  get allNodes() {
    return this.#world.allNodes;
  }

  /** How far the run has been simulated. */
  get horizon(): number {
    return this.#world.now;
  }

  /** Simulate at least up to virtual time `t`. */
  extendTo(t: number): void {
    while (this.#world.now < t) {
      const next = Math.min(t, this.#frameTime(this.#world.now + this.frameStep));
      const action = this.#actions[this.#nextAction];
      if (action !== undefined && action.t <= next) {
        this.#advance(action.t);
        this.#world.apply(action);
        this.#nextAction += 1;
        this.#record();
        continue;
      }
      this.#advance(next);
    }
  }

  /** The frame in effect at time `t` (the last one recorded at or before it). */
  frameAt(t: number): Frame {
    this.extendTo(t);
    let lo = 0;
    let hi = this.#frames.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#frames[mid]!.time <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.#frames[lo]!;
  }

  /**
   * Time of the first change after `t` (one "step" of the timeline), simulating ahead up to
   * `limit` ms to find it; `t + limit` when nothing changes in that span.
   */
  nextChange(t: number, limit = 5000): number {
    const current = this.frameAt(t);
    for (let probe = t + this.frameStep; probe <= t + limit; probe += this.frameStep) {
      const frame = this.frameAt(probe);
      if (frame !== current) return frame.time;
    }
    return t + limit;
  }

  /** Time of the last change strictly before the frame shown at `t`, or 0. */
  previousChange(t: number): number {
    const current = this.frameAt(t);
    if (t > current.time) return current.time;
    const i = this.#frames.indexOf(current);
    return i > 0 ? this.#frames[i - 1]!.time : 0;
  }

  /** Events at or before `t`, oldest first. */
  eventsUntil(t: number): readonly EventView[] {
    this.extendTo(t);
    let end = this.#events.length;
    while (end > 0 && this.#events[end - 1]!.time > t) end -= 1;
    return this.#events.slice(0, end);
  }

  /** Recorded actions that acting at time `t` would drop (those after it), oldest first. */
  actionsAfter(t: number): readonly Action[] {
    return this.#actions.filter((a) => a.t > t);
  }

  /**
   * Apply `kind` at time `t`. Actions recorded after `t` are dropped (the learner changed the
   * past); when `t` is behind the simulated horizon the run is replayed up to `t` first.
   */
  act(action: Action): void {
    const kept = this.#actions.filter((a) => a.t <= action.t);
    if (kept.length !== this.#actions.length || action.t < this.#world.now) this.#reset(kept);
    this.#actions.push(action);
    this.extendTo(action.t);
    if (this.#nextAction < this.#actions.length) {
      this.#advance(action.t);
      this.#world.apply(action);
      this.#nextAction = this.#actions.length;
      this.#record();
    }
  }

  #reset(actions: Action[]): void {
    this.#actions = actions;
    this.#world = this.factory({ seed: this.seed, nodes: this.nodes, classic: this.classic });
    this.#frames = [];
    this.#events = [];
    this.#nextAction = 0;
    this.#recordedVersion = -1;
    this.#record();
  }

  #frameTime(t: number): number {
    return Math.floor(t / this.frameStep) * this.frameStep;
  }

  #advance(t: number): void {
    if (t > this.#world.now) {
      this.#world.runUntil(t);
      this.#record();
    }
  }

  #record(): void {
    this.#events.push(...this.#world.drainEvents());
    if (this.#world.version === this.#recordedVersion) return;
    this.#recordedVersion = this.#world.version;
    const frame = this.#world.frame();
    const last = this.#frames[this.#frames.length - 1];
    if (last !== undefined && last.time === frame.time) this.#frames[this.#frames.length - 1] = frame;
    else this.#frames.push(frame);
  }
}

/**
 * A recorded teaching run: it simulates a world forward in small steps, keeps a frame for
 * each step, and lets the view stand at any time already simulated. Moving back in time is a
 * lookup; changing the past (an action while scrubbed back) drops the later actions and
 * replays the run from its seed, which is exact because the world is deterministic.
 *
 * Simulating is asynchronous and runs one job at a time (extending, acting); looking up what
 * is recorded (`frameAt`, `eventsUntil`) is synchronous and answers from what has been
 * simulated so far. Frames are recorded at every multiple of `frameStep` and at every action's
 * time, whoever asked for how much simulation when, so the same run gives the same frames.
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

/** One simulation of the run's actions from its seed, with what was recorded of it. */
interface Run {
  readonly world: World;
  readonly actions: Action[];
  readonly frames: Frame[];
  readonly events: EventView[];
  /** Index into `actions` of the next action not yet applied to `world`. */
  nextAction: number;
  recordedVersion: number;
}

/** A replay in progress, for the view: the run is being rebuilt from its seed up to `target`. */
export interface Replay {
  readonly done: number;
  readonly target: number;
}

export class Session {
  readonly seed: number;
  readonly nodes: number;
  readonly classic: boolean;
  readonly frameStep: number;
  #run: Run;
  #queue: Promise<unknown> = Promise.resolve();
  #replay: { readonly run: Run; readonly target: number } | undefined;

  /** Makes the world and records its first frame. */
  static async open(factory: WorldFactory, options: SessionOptions): Promise<Session> {
    const settings = { seed: options.seed, nodes: options.nodes, classic: options.classic ?? false, frameStep: options.frameStep ?? 5 };
    const run = await newRun(factory, settings, [...(options.actions ?? [])].sort((a, b) => a.t - b.t));
    return new Session(factory, settings, run);
  }

  private constructor(
    private readonly factory: WorldFactory,
    settings: { seed: number; nodes: number; classic: boolean; frameStep: number },
    run: Run,
  ) {
    this.seed = settings.seed;
    this.nodes = settings.nodes;
    this.classic = settings.classic;
    this.frameStep = settings.frameStep;
    this.#run = run;
  }

  get actions(): readonly Action[] {
    return this.#run.actions;
  }

  get allNodes() {
    return this.#run.world.allNodes;
  }

  /** How far the run has been simulated. */
  get horizon(): number {
    return this.#run.world.now;
  }

  /** A change of the past being replayed (the frames shown are the old run's until it ends). */
  get replaying(): Replay | undefined {
    const replay = this.#replay;
    return replay === undefined ? undefined : { done: replay.run.world.now, target: replay.target };
  }

  /** Simulate at least up to virtual time `t` (to the frame boundary at or after it). */
  extendTo(t: number): Promise<void> {
    const target = Math.ceil(t / this.frameStep) * this.frameStep;
    return this.#serial(() => this.#extend(this.#run, target));
  }

  /** Simulates up to `t` and returns the frame in effect there. */
  async reach(t: number): Promise<Frame> {
    await this.extendTo(t);
    return this.frameAt(t);
  }

  /** The frame in effect at time `t`: the last one recorded at or before it (the latest one when `t` is beyond the horizon). */
  frameAt(t: number): Frame {
    const frames = this.#run.frames;
    let lo = 0;
    let hi = frames.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (frames[mid]!.time <= t) lo = mid;
      else hi = mid - 1;
    }
    return frames[lo]!;
  }

  /**
   * Time of the first change after `t` (one "step" of the timeline), simulating ahead up to
   * `limit` ms to find it; `t + limit` when nothing changes in that span.
   */
  async nextChange(t: number, limit = 5000): Promise<number> {
    const current = this.frameAt(t);
    for (let probe = t + this.frameStep; probe <= t + limit; probe += this.frameStep) {
      if (probe > this.horizon) await this.extendTo(Math.min(t + limit, probe + 50 * this.frameStep));
      const frame = this.frameAt(probe);
      if (frame !== current) return frame.time;
    }
    return t + limit;
  }

  /** Time of the last change strictly before the frame shown at `t`, or 0. */
  previousChange(t: number): number {
    const current = this.frameAt(t);
    if (t > current.time) return current.time;
    const i = this.#run.frames.indexOf(current);
    return i > 0 ? this.#run.frames[i - 1]!.time : 0;
  }

  /** Events at or before `t` (as far as simulated), oldest first. */
  eventsUntil(t: number): readonly EventView[] {
    const events = this.#run.events;
    let end = events.length;
    while (end > 0 && events[end - 1]!.time > t) end -= 1;
    return end === events.length ? events : events.slice(0, end);
  }

  /** Recorded actions that acting at time `t` would drop (those after it), oldest first. */
  actionsAfter(t: number): readonly Action[] {
    return this.#run.actions.filter((a) => a.t > t);
  }

  /**
   * Apply `action` at its time `t`. Actions recorded after `t` are dropped (the learner changed
   * the past); when `t` is behind the simulated horizon the run is replayed from its seed up to
   * `t` first, beside the recorded one, which stays in view until the replay is done.
   */
  act(action: Action): Promise<void> {
    return this.#serial(async () => {
      const current = this.#run;
      const kept = current.actions.filter((a) => a.t <= action.t);
      let run = current;
      if (kept.length !== current.actions.length || action.t < current.world.now) {
        run = await newRun(this.factory, this, kept);
        this.#replay = { run, target: action.t };
        try {
          await this.#extend(run, action.t);
        } finally {
          this.#replay = undefined;
        }
      }
      run.actions.push(action);
      await this.#extend(run, action.t);
      this.#run = run;
    });
  }

  /** Runs `job` after every job queued before it. */
  #serial<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(job);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Simulates `run` up to `t`, frame by frame, applying its actions at their times (one at `t` included). */
  async #extend(run: Run, t: number): Promise<void> {
    for (;;) {
      const now = run.world.now;
      const action = run.actions[run.nextAction];
      const due = action !== undefined && action.t <= t && action.t >= now ? action : undefined;
      if (due !== undefined && due.t === now) {
        await run.world.apply(due);
        run.nextAction += 1;
        record(run);
        continue;
      }
      if (now >= t) return;
      const boundary = (Math.floor(now / this.frameStep) + 1) * this.frameStep;
      await this.#advance(run, Math.min(t, boundary, due?.t ?? Infinity));
    }
  }

  async #advance(run: Run, t: number): Promise<void> {
    if (t > run.world.now) {
      await run.world.runUntil(t);
      record(run);
    }
  }
}

async function newRun(factory: WorldFactory, settings: { seed: number; nodes: number; classic: boolean }, actions: Action[]): Promise<Run> {
  const world = await factory({ seed: settings.seed, nodes: settings.nodes, classic: settings.classic });
  const run: Run = { world, actions, frames: [], events: [], nextAction: 0, recordedVersion: -1 };
  record(run);
  return run;
}

function record(run: Run): void {
  const drained = run.world.drainEvents();
  for (const event of drained) run.events.push(event);
  if (run.world.version === run.recordedVersion) return;
  run.recordedVersion = run.world.version;
  const frame = run.world.frame();
  const last = run.frames[run.frames.length - 1];
  if (last !== undefined && last.time === frame.time) run.frames[run.frames.length - 1] = frame;
  else run.frames.push(frame);
}

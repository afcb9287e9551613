/**
 * A guided scenario laid on the timeline. Each step begins at a virtual time (a mark on the
 * slider) and has a stopping point: the first recorded frame at which its condition holds,
 * or its time limit. Both are facts of the recorded run, not of the play state, so pausing,
 * resuming, rewinding or scrubbing never loses them, and the text shown is always the text
 * of the step the display time falls in.
 */
import type { Frame } from './types.ts';

export interface NarratedStep {
  /** Play until this holds (checked on every recorded frame), at most `maxMs` of virtual time. */
  readonly until?: (frame: Frame) => boolean;
  readonly maxMs?: number;
}

/** What the narration needs of a recorded run (a `Session`). */
export interface Timeline {
  readonly frameStep: number;
  /** How far the run has been simulated: frames up to it are final. */
  readonly horizon: number;
  frameAt(t: number): Frame;
  extendTo(t: number): Promise<void>;
}

export class Narration {
  readonly #starts: number[];
  /** Stopping points by step, found by simulating ahead; cleared whenever the run changes. */
  readonly #stops = new Map<number, number>();
  /** For a step whose stopping point is not found yet: the first time not checked yet. */
  readonly #searched = new Map<number, number>();
  /** The step whose text is shown: kept while the display time is within it, ends included. */
  #shown = 0;

  constructor(
    readonly steps: readonly NarratedStep[],
    starts: readonly number[] = [],
  ) {
    this.#starts = starts.slice(0, steps.length);
  }

  /** Virtual time at which each begun step began. */
  get starts(): readonly number[] {
    return this.#starts;
  }

  /** Steps begun so far. */
  get begun(): number {
    return this.#starts.length;
  }

  /** The step shown at time `t`: the last begun step that began at or before it (0 before any). */
  stepAt(t: number): number {
    let step = 0;
    for (let i = 0; i < this.#starts.length; i++) if (this.#starts[i]! <= t) step = i;
    return step;
  }

  /**
   * The step to show at `t`. A step's stopping point is also where the next one begins: there
   * the step already shown stays (the end of the one just played, or the start of the one just
   * begun); elsewhere it is the step the time falls in.
   */
  follow(t: number, run: Timeline): number {
    const start = this.#starts[this.#shown];
    // A stopping point not found yet lies beyond the simulated horizon, so beyond `t`.
    if (start !== undefined && t >= start && t <= (this.stopOf(this.#shown, run) ?? Infinity)) return this.#shown;
    this.#shown = this.stepAt(t);
    return this.#shown;
  }

  /** Shows step `index` from its start. */
  show(index: number): void {
    if (index < this.#starts.length) this.#shown = index;
  }

  /** Step `index` begins at `t`; any later steps are forgotten (the run was changed from there). */
  begin(index: number, t: number): void {
    this.#starts.length = index;
    this.#starts.push(t);
    this.#forgetStops();
    this.#shown = index;
  }

  /** The recorded run changed at time `t`: steps that began after it are forgotten. */
  changedAt(t: number): void {
    while (this.#starts.length > 1 && this.#starts[this.#starts.length - 1]! > t) this.#starts.pop();
    this.#shown = Math.min(this.#shown, this.#starts.length - 1);
    this.#forgetStops();
  }

  #forgetStops(): void {
    this.#stops.clear();
    this.#searched.clear();
  }

  /**
   * Where step `index` stops: the first frame from its start at which its condition holds, else
   * its time limit. Undefined while the run has not been simulated far enough to tell (the
   * stopping point is then beyond the horizon); `findStop` simulates what it takes.
   */
  stopOf(index: number, run: Timeline): number | undefined {
    const cached = this.#stops.get(index);
    if (cached !== undefined) return cached;
    const start = this.#starts[index];
    const step = this.steps[index];
    if (start === undefined || step === undefined) return Infinity;
    const limit = start + this.#maxMs(step);
    let stop: number | undefined;
    let t = this.#searched.get(index) ?? start;
    if (step.until !== undefined) {
      for (; t < limit && t <= run.horizon; t += run.frameStep) {
        if (step.until(run.frameAt(t))) {
          stop = t;
          break;
        }
      }
    }
    if (stop === undefined && (step.until === undefined || t >= limit)) stop = limit;
    if (stop === undefined && limit > run.horizon) {
      this.#searched.set(index, t);
      return undefined;
    }
    stop ??= limit;
    this.#stops.set(index, stop);
    this.#searched.delete(index);
    return stop;
  }

  /** Where step `index` stops, simulating as far as its time limit when needed. */
  async findStop(index: number, run: Timeline): Promise<number> {
    const start = this.#starts[index];
    const step = this.steps[index];
    if (start === undefined || step === undefined) return Infinity;
    const known = this.stopOf(index, run);
    if (known !== undefined) return known;
    await run.extendTo(start + this.#maxMs(step));
    return this.stopOf(index, run) ?? start + this.#maxMs(step);
  }

  #maxMs(step: NarratedStep): number {
    return step.maxMs ?? (step.until === undefined ? 0 : 5000);
  }

  /**
   * Where playing from `t` must halt: the stopping point of the step shown at `t` while `t` is
   * before it (Infinity while it lies beyond the simulated horizon, which playing never passes);
   * undefined at or past it (free play).
   */
  haltAfter(t: number, run: Timeline): number | undefined {
    if (this.#starts.length === 0) return undefined;
    const stop = this.stopOf(this.follow(t, run), run) ?? Infinity;
    return t < stop ? stop : undefined;
  }
}

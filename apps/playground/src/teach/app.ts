/**
 * The teaching page's controller: owns the session, the display time, the play state and the
 * guided narration, turns the learner's input into actions, and redraws from the frame at the
 * display time. Everything it asks of the simulated world goes through the `Session`.
 *
 * Simulating is asynchronous: the learner's operations that need it (loading a run, acting,
 * moving to another guided step) run one at a time, and `busy` says one is under way. Playing
 * asks for simulation ahead of the display time and never shows a time not simulated yet.
 */
import type { NodeId } from '@webraft/core';
import type { Action } from './model/actions.ts';
import { Narration } from './model/narration.ts';
import { Session } from './model/session.ts';
import type { EventView, Frame, MessageView } from './model/types.ts';
import { encodeRun, type RunSpec } from './model/url.ts';
import type { WorldFactory } from './model/world.ts';
import { scenarioById, type Scenario, type StepAction } from './scenarios.ts';
import type { TeachView } from './view/teach-view.ts';

/** Virtual ms per real second. */
export const speeds = [10, 25, 50, 100, 250, 500, 1000, 3000, 10000] as const;
const defaultSpeed = 100;
/** While playing, simulate this many real seconds ahead of the display (at least 200 virtual ms). */
const aheadSeconds = 1;

/** Asks the learner whether the recorded actions after the display time may be dropped. */
export type ConfirmDrop = (dropped: readonly Action[]) => Promise<boolean>;

export class TeachApp {
  session!: Session;
  time = 0;
  playing = false;
  speed: number = defaultSpeed;
  selected: NodeId | undefined;
  /** The message or event-log line whose "why" is shown. */
  explained: { readonly message: MessageView } | { readonly event: number } | undefined;
  scenario: Scenario | undefined;
  narration: Narration | undefined;
  #lastReal = 0;
  #operations: Promise<unknown> = Promise.resolve();
  #busy = 0;
  #extending = false;

  constructor(
    private readonly worlds: WorldFactory,
    private readonly view: TeachView,
    private readonly confirmDrop: ConfirmDrop,
  ) {}

  /** A learner's operation is under way (loading, acting, replaying, moving to a step). */
  get busy(): boolean {
    return this.#busy > 0;
  }

  load(run: RunSpec): Promise<void> {
    return this.#operation(() => this.#load(run));
  }

  async #load(run: RunSpec): Promise<void> {
    this.playing = false;
    const session = await Session.open(this.worlds, { seed: run.seed, nodes: run.nodes, classic: run.classic ?? false, actions: run.actions });
    await session.extendTo(run.time);
    this.scenario = run.scenario === undefined ? undefined : scenarioById(run.scenario);
    this.narration = this.scenario === undefined ? undefined : new Narration(this.scenario.steps, run.marks ?? [0]);
    this.session = session;
    this.time = run.time;
    this.explained = undefined;
    this.#changed(true);
  }

  startScenario(id: string): Promise<void> {
    const scenario = scenarioById(id);
    if (scenario === undefined) return Promise.resolve();
    return this.#operation(async () => {
      await this.#load({ seed: scenario.seed, nodes: scenario.nodes, classic: scenario.classic ?? false, actions: [], time: 0, scenario: id, marks: [] });
      await this.#beginStep(0, 0);
    });
  }

  /** The guided step shown at the display time. */
  get step(): number {
    return this.narration?.follow(this.time, this.session) ?? 0;
  }

  /** Shows the next step: one already recorded is replayed from its mark; a new one begins where the current one stops. */
  nextStep(): Promise<void> {
    return this.#operation(async () => {
      const narration = this.narration;
      if (narration === undefined || this.scenario === undefined) return;
      const k = narration.follow(this.time, this.session);
      if (k + 1 >= this.scenario.steps.length) return;
      if (k + 1 < narration.begun) {
        this.time = narration.starts[k + 1]!;
        narration.show(k + 1);
        this.playing = narration.haltAfter(this.time, this.session) !== undefined;
        this.#changed(false);
        return;
      }
      // Never before a recorded action, so moving on drops nothing.
      const lastAction = this.session.actions[this.session.actions.length - 1]?.t ?? 0;
      const stop = await narration.findStop(k, this.session);
      await this.#beginStep(k + 1, Math.max(stop, Math.round(this.time), lastAction));
    });
  }

  /** Back to the start of the previous step (paused). */
  previousStep(): void {
    const narration = this.narration;
    if (narration === undefined) return;
    this.goToStep(Math.max(0, narration.follow(this.time, this.session) - 1));
  }

  goToStep(k: number): void {
    const start = this.narration?.starts[k];
    if (start === undefined) return;
    this.playing = false;
    this.time = start;
    this.narration!.show(k);
    this.#changed(false);
  }

  async #beginStep(k: number, at: number): Promise<void> {
    const narration = this.narration!;
    const step = this.scenario!.steps[k]!;
    const frame = await this.session.reach(at);
    this.time = at;
    narration.begin(k, at);
    for (const action of step.act?.(frame) ?? []) await this.session.act({ ...action, t: at } as Action);
    narration.changedAt(at);
    this.playing = narration.haltAfter(at, this.session) !== undefined;
    this.#changed(true);
  }

  /**
   * Apply an action at the display time. Recorded actions after it would be dropped (the run
   * is replayed from its seed with the new past): the learner is asked first.
   */
  act(action: StepAction): Promise<boolean> {
    return this.#operation(async () => {
      // Actions sit on whole milliseconds (that is what the URL keeps); the view moves there too.
      const t = Math.round(this.time);
      const dropped = this.session.actionsAfter(t);
      const wasPlaying = this.playing;
      if (dropped.length > 0) {
        this.playing = false;
        if (!(await this.confirmDrop(dropped))) {
          this.playing = wasPlaying;
          this.view.syncControls(this);
          return false;
        }
      }
      // The run stands still while the action (and any replay it needs) is simulated.
      this.playing = false;
      this.time = t;
      this.view.syncControls(this);
      await this.session.act({ ...action, t } as Action);
      this.narration?.changedAt(t);
      this.playing = wasPlaying && dropped.length === 0;
      this.#changed(true);
      return true;
    });
  }

  frame(): Frame {
    return this.session.frameAt(this.time);
  }

  events(): readonly EventView[] {
    return this.session.eventsUntil(this.time);
  }

  setTime(t: number): void {
    this.time = Math.max(0, t);
    this.#changed(false);
  }

  togglePlay(): void {
    this.playing = !this.playing;
    this.#changed(false);
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    this.#changed(false);
  }

  stepForward(): Promise<void> {
    this.playing = false;
    return this.#operation(async () => this.setTime(await this.session.nextChange(this.time)));
  }

  stepBack(): void {
    this.playing = false;
    this.setTime(this.session.previousChange(this.time));
  }

  select(node: NodeId | undefined): void {
    this.selected = node;
    this.view.redraw(this, true);
  }

  explain(what: { readonly message: MessageView } | { readonly event: number } | undefined): void {
    this.explained = what;
    this.view.redraw(this, true);
  }

  run(): void {
    const loop = (now: number) => {
      const dt = this.#lastReal === 0 ? 0 : Math.min(100, now - this.#lastReal);
      this.#lastReal = now;
      if (this.session !== undefined) {
        if (this.playing && !this.busy) this.#advance((dt / 1000) * this.speed);
        this.view.redraw(this, false);
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  /**
   * Plays on, halting exactly on the shown step's stopping point (so a guided run is the same
   * at any speed), and never past what has been simulated: it asks for more ahead of itself.
   */
  #advance(dt: number): void {
    this.#simulateAhead();
    const halt = this.narration?.haltAfter(this.time, this.session);
    const next = Math.max(this.time, Math.min(this.time + dt, this.session.horizon));
    if (halt !== undefined && next >= halt) {
      this.time = halt;
      this.playing = false;
      this.#changed(false);
      return;
    }
    this.time = next;
  }

  #simulateAhead(): void {
    const ahead = Math.max(200, this.speed * aheadSeconds);
    if (this.#extending || this.session.horizon >= this.time + ahead / 2) return;
    this.#extending = true;
    const session = this.session;
    void session.extendTo(this.time + ahead).finally(() => (this.#extending = false));
  }

  /** Runs the learner's operations one at a time; `busy` (and the page's `data-busy`) while any is pending. */
  #operation<T>(job: () => Promise<T>): Promise<T> {
    this.#busy += 1;
    this.view.syncControls(this);
    const result = this.#operations.then(job);
    this.#operations = result.catch((error: unknown) => console.error(error));
    return result.finally(() => {
      this.#busy -= 1;
      this.view.syncControls(this);
    });
  }

  runSpec(): RunSpec {
    return {
      seed: this.session.seed,
      nodes: this.session.nodes,
      actions: this.session.actions,
      time: this.playing ? 0 : this.time,
      ...(this.session.classic ? { classic: true } : {}),
      ...(this.scenario === undefined || this.narration === undefined ? {} : { scenario: this.scenario.id, marks: this.narration.starts }),
    };
  }

  #changed(force: boolean): void {
    history.replaceState(null, '', encodeRun(this.runSpec()));
    this.view.syncControls(this);
    this.view.redraw(this, force);
  }
}

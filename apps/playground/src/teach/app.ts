/**
 * The teaching page's controller: owns the session, the display time, the play state and the
 * guided narration, turns the learner's input into actions, and redraws from the frame at the
 * display time. Everything it asks of the simulated world goes through the `Session`.
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

  constructor(
    private readonly worlds: WorldFactory,
    private readonly view: TeachView,
    private readonly confirmDrop: ConfirmDrop,
  ) {}

  load(run: RunSpec): void {
    this.scenario = run.scenario === undefined ? undefined : scenarioById(run.scenario);
    this.narration = this.scenario === undefined ? undefined : new Narration(this.scenario.steps, run.marks ?? [0]);
    this.session = new Session(this.worlds, { seed: run.seed, nodes: run.nodes, classic: run.classic ?? false, actions: run.actions });
    this.time = run.time;
    this.session.extendTo(this.time);
    this.playing = false;
    this.explained = undefined;
    this.#changed(true);
  }

  startScenario(id: string): void {
    const scenario = scenarioById(id);
    if (scenario === undefined) return;
    this.load({ seed: scenario.seed, nodes: scenario.nodes, classic: scenario.classic ?? false, actions: [], time: 0, scenario: id, marks: [] });
    this.#beginStep(0, 0);
  }

  /** The guided step shown at the display time. */
  get step(): number {
    return this.narration?.follow(this.time, this.session) ?? 0;
  }

  /** Shows the next step: one already recorded is replayed from its mark; a new one begins where the current one stops. */
  nextStep(): void {
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
    this.#beginStep(k + 1, Math.max(narration.stopOf(k, this.session), Math.round(this.time), lastAction));
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

  #beginStep(k: number, at: number): void {
    const narration = this.narration!;
    const step = this.scenario!.steps[k]!;
    this.time = at;
    narration.begin(k, at);
    for (const action of step.act?.(this.frame()) ?? []) this.session.act({ ...action, t: at } as Action);
    narration.changedAt(at);
    this.playing = narration.haltAfter(at, this.session) !== undefined;
    this.#changed(true);
  }

  /**
   * Apply an action at the display time. Recorded actions after it would be dropped (the run
   * is replayed from its seed with the new past): the learner is asked first.
   */
  async act(action: StepAction): Promise<boolean> {
    // Actions sit on whole milliseconds (that is what the URL keeps); the view moves there too.
    const t = Math.round(this.time);
    const dropped = this.session.actionsAfter(t);
    if (dropped.length > 0) {
      const wasPlaying = this.playing;
      this.playing = false;
      if (!(await this.confirmDrop(dropped))) {
        this.playing = wasPlaying;
        this.view.syncControls(this);
        return false;
      }
    }
    this.time = t;
    this.session.act({ ...action, t } as Action);
    this.narration?.changedAt(t);
    this.#changed(true);
    return true;
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

  stepForward(): void {
    this.playing = false;
    this.setTime(this.session.nextChange(this.time));
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
      if (this.playing) this.#advance((dt / 1000) * this.speed);
      this.view.redraw(this, false);
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  /** Plays on, halting exactly on the shown step's stopping point (so a guided run is the same at any speed). */
  #advance(dt: number): void {
    const halt = this.narration?.haltAfter(this.time, this.session);
    const next = this.time + dt;
    if (halt !== undefined && next >= halt) {
      this.time = halt;
      this.playing = false;
      this.#changed(false);
      return;
    }
    this.time = next;
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

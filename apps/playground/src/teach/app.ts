/**
 * The teaching page's controller: owns the session, the display time and the play state,
 * turns clicks into actions, and redraws from the frame at the display time.
 */
import type { NodeId } from '@webraft/core';
import type { Action } from './model/actions.ts';
import { currentLeader, members } from './model/queries.ts';
import { Session } from './model/session.ts';
import type { Frame } from './model/types.ts';
import { encodeRun, maxNodes, minNodes, type RunSpec } from './model/url.ts';
import type { WorldFactory } from './model/world.ts';
import { scenarioById, scenarios, type Scenario, type StepAction } from './scenarios.ts';
import { drawCluster } from './view/cluster-svg.ts';
import { drawEventList } from './view/event-list.ts';
import { drawLogTable } from './view/log-table.ts';

/** Virtual ms per real second. */
export const speeds = [10, 25, 50, 100, 250, 500, 1000, 3000, 10000] as const;
const defaultSpeed = 100;

interface Goal {
  readonly until?: (frame: Frame) => boolean;
  readonly deadline: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class TeachApp {
  session!: Session;
  time = 0;
  playing = false;
  speed: number = defaultSpeed;
  selected: NodeId | undefined;
  scenario: Scenario | undefined;
  step = 0;
  #goal: Goal | undefined;
  #lastReal = 0;
  #drawn = { time: -1, frame: undefined as Frame | undefined, events: -1, selected: '' as string | undefined };

  constructor(private readonly worlds: WorldFactory) {}

  load(run: RunSpec): void {
    this.scenario = run.scenario === undefined ? undefined : scenarioById(run.scenario);
    this.step = this.scenario === undefined ? 0 : Math.min(run.step ?? 0, this.scenario.steps.length - 1);
    this.session = new Session(this.worlds, { seed: run.seed, nodes: run.nodes, actions: run.actions });
    this.time = run.time;
    this.session.extendTo(this.time);
    this.playing = false;
    this.#goal = undefined;
    this.#syncInputs();
    this.#drawGuide();
    this.#redraw(true);
  }

  startScenario(id: string): void {
    const scenario = scenarioById(id);
    if (scenario === undefined) return;
    this.load({ seed: scenario.seed, nodes: scenario.nodes, actions: [], time: 0, scenario: id, step: 0 });
    this.#runStep();
  }

  nextStep(): void {
    if (this.scenario === undefined || this.step >= this.scenario.steps.length - 1) return;
    this.step += 1;
    this.#runStep();
  }

  /** Apply an action at the display time (dropping any recorded future). */
  act(action: StepAction): void {
    // Actions sit on whole milliseconds (that is what the URL keeps); the view moves there too.
    this.time = Math.round(this.time);
    const full = { ...action, t: this.time } as Action;
    this.session.act(full);
    this.#saveUrl();
    this.#redraw(true);
  }

  frame(): Frame {
    return this.session.frameAt(this.time);
  }

  setTime(t: number): void {
    this.time = Math.max(0, t);
    this.#saveUrl();
    this.#redraw(false);
  }

  togglePlay(): void {
    this.playing = !this.playing;
    if (!this.playing) this.#goal = undefined;
    this.#syncInputs();
    this.#saveUrl();
  }

  stepForward(): void {
    this.playing = false;
    this.setTime(this.session.nextChange(this.time));
    this.#syncInputs();
  }

  stepBack(): void {
    this.playing = false;
    this.setTime(this.session.previousChange(this.time));
    this.#syncInputs();
  }

  run(): void {
    const loop = (now: number) => {
      const dt = this.#lastReal === 0 ? 0 : Math.min(100, now - this.#lastReal);
      this.#lastReal = now;
      if (this.playing) this.#advance((dt / 1000) * this.speed);
      this.#redraw(false);
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  #advance(dt: number): void {
    const goal = this.#goal;
    if (goal === undefined) {
      this.time += dt;
      return;
    }
    // Check every recorded step on the way, so a fast speed cannot skip past the moment the goal
    // holds, and stop exactly on it: the next step's actions then happen at the same virtual time
    // at any speed, which keeps a guided run identical for every learner.
    const step = this.session.frameStep;
    const end = Math.min(this.time + dt, goal.deadline);
    let stopAt: number | undefined;
    for (let t = (Math.floor(this.time / step) + 1) * step; t <= end; t += step) {
      if (goal.until?.(this.session.frameAt(t))) {
        stopAt = t;
        break;
      }
    }
    if (stopAt === undefined && end >= goal.deadline) stopAt = goal.deadline;
    if (stopAt === undefined) {
      this.time = end;
      return;
    }
    this.#goal = undefined;
    this.playing = false;
    this.time = stopAt;
    this.#syncInputs();
    this.#saveUrl();
  }

  #runStep(): void {
    const step = this.scenario?.steps[this.step];
    if (step === undefined) return;
    for (const action of step.act?.(this.frame()) ?? []) this.act(action);
    const maxMs = step.maxMs ?? (step.until === undefined ? 0 : 5000);
    if (maxMs > 0) {
      this.#goal = { until: step.until, deadline: this.time + maxMs };
      if (step.until?.(this.frame())) this.#goal = undefined;
      else this.playing = true;
    }
    this.#syncInputs();
    this.#drawGuide();
    this.#saveUrl();
  }

  #saveUrl(): void {
    const run: RunSpec = {
      seed: this.session.seed,
      nodes: this.session.nodes,
      actions: this.session.actions,
      time: this.playing ? 0 : this.time,
      ...(this.scenario === undefined ? {} : { scenario: this.scenario.id, step: this.step }),
    };
    history.replaceState(null, '', encodeRun(run));
  }

  #syncInputs(): void {
    $<HTMLSelectElement>('nodes').value = String(this.session.nodes);
    $<HTMLInputElement>('seed').value = String(this.session.seed);
    $<HTMLSelectElement>('speed').value = String(this.speed);
    $<HTMLButtonElement>('play').textContent = this.playing ? '❚❚' : '▶︎';
    $<HTMLSelectElement>('scenario').value = this.scenario?.id ?? '';
    document.body.dataset.playing = String(this.playing);
    this.#drawGuide();
  }

  #drawGuide(): void {
    const body = $('guide-body');
    if (this.scenario === undefined) {
      body.innerHTML = '<p class="hint">Pick a scenario to be walked through it step by step, or play freely: press ▶︎ and click the servers, links and messages.</p>';
      return;
    }
    const steps = this.scenario.steps;
    const last = this.step >= steps.length - 1;
    body.innerHTML =
      `<div class="step-text" id="step-text">${steps[this.step]!.text}</div>` +
      `<div class="step-nav"><button id="next-step" class="primary" ${last || this.playing ? 'disabled' : ''}>${last ? 'Done' : 'Next ▶︎'}</button>` +
      `<span id="step-count">step ${this.step + 1} of ${steps.length}${this.playing ? ' · running…' : ''}</span></div>`;
    body.querySelector('#next-step')?.addEventListener('click', () => this.nextStep());
  }

  #redraw(force: boolean): void {
    const frame = this.session.frameAt(this.time);
    const d = this.#drawn;
    const moved = d.time !== this.time;
    if (!force && !moved && d.frame === frame && d.selected === this.selected) return;
    const svg = $('cluster');
    svg.innerHTML = drawCluster(frame, this.time, { selected: this.selected, slots: frame.nodes.map((n) => n.id) });
    if (force || d.frame !== frame) $('logs').innerHTML = drawLogTable(frame);
    const events = this.session.eventsUntil(this.time);
    if (force || events.length !== d.events) $('events').innerHTML = drawEventList(events);
    const scrub = $<HTMLInputElement>('scrub');
    scrub.max = String(Math.max(this.session.horizon, this.time));
    scrub.value = String(Math.round(this.time));
    $('clock').textContent = `${(this.time / 1000).toFixed(3)} s`;
    if (force || d.frame !== frame || d.selected !== this.selected) this.#drawSelection(frame);
    this.#drawn = { time: this.time, frame, events: events.length, selected: this.selected };
  }

  #drawSelection(frame: Frame): void {
    const node = frame.nodes.find((n) => n.id === this.selected);
    $('sel-name').textContent = node === undefined ? '—' : node.id.toUpperCase();
    $('sel-hint').textContent =
      node === undefined ? 'Click a server to select it.' : `${node.role}, term ${node.term}, commit ${node.commit}, ${node.log.length} entries in memory`;
    for (const button of document.querySelectorAll<HTMLButtonElement>('#node-actions button')) {
      const act = button.dataset.act;
      const down = node?.role === 'down';
      button.disabled =
        node === undefined ||
        (act === 'restart' ? !down : down) ||
        (act === 'removeNode' && !node.member) ||
        (act === 'transfer' && (node.role === 'leader' || !node.member));
    }
    const addable = this.session.allNodes.find((id) => !frame.nodes.some((n) => n.id === id && n.member));
    $<HTMLButtonElement>('add-node').disabled = addable === undefined || members(frame).length >= maxNodes;
    $<HTMLButtonElement>('isolate-leader').disabled = currentLeader(frame) === undefined;
  }
}

export function fillStaticInputs(): void {
  const nodes = $<HTMLSelectElement>('nodes');
  for (let n = minNodes; n <= maxNodes; n++) nodes.add(new Option(String(n), String(n)));
  const speed = $<HTMLSelectElement>('speed');
  for (const s of speeds) speed.add(new Option(`${s / 1000}×`, String(s)));
  const scenario = $<HTMLSelectElement>('scenario');
  scenario.add(new Option('— free play —', ''));
  for (const s of scenarios) scenario.add(new Option(s.title, s.id));
}

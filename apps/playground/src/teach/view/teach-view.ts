/**
 * Draws the teaching page from the controller's state: the cluster, the log table, the event
 * log, the guided step (its text follows the display time), the marks of the steps on the
 * timeline, the "why" of the selected message or event, and the selected server's actions.
 * Redraws only what changed since the last call.
 */
import type { TeachApp } from '../app.ts';
import { currentLeader, members } from '../model/queries.ts';
import type { Frame, MessageView } from '../model/types.ts';
import { maxNodes } from '../model/url.ts';
import { ClusterView, describeMessageShort, describeNode } from './cluster-view.ts';
import { drawEventList } from './event-list.ts';
import { drawLogTable } from './log-table.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export class TeachView {
  readonly cluster = new ClusterView($('cluster') as unknown as SVGSVGElement);
  #drawn = { frame: undefined as Frame | undefined, events: -1, explained: undefined as unknown, selected: '' as string | undefined, step: -1, marks: '', scenario: '' };

  syncControls(app: TeachApp): void {
    document.body.dataset.busy = String(app.busy);
    if (app.session === undefined) return;
    $<HTMLSelectElement>('speed').value = String(app.speed);
    // While a new run loads, its settings are the ones the learner just chose, not the old run's.
    if (!app.busy) {
      $<HTMLSelectElement>('nodes').value = String(app.session.nodes);
      $<HTMLInputElement>('seed').value = String(app.session.seed);
      $<HTMLInputElement>('classic').checked = app.session.classic;
      $<HTMLSelectElement>('scenario').value = app.scenario?.id ?? '';
    }
    const play = $<HTMLButtonElement>('play');
    play.setAttribute('aria-label', app.playing ? 'Pause' : 'Play');
    play.querySelector('span')!.textContent = app.playing ? '❚❚' : '▶';
    document.body.dataset.playing = String(app.playing);
    this.#drawn.step = -1;
  }

  redraw(app: TeachApp, force: boolean): void {
    const frame = app.frame();
    const d = this.#drawn;
    this.cluster.draw(frame, app.time, app.session.allNodes.filter((id) => frame.nodes.some((n) => n.id === id)), {
      ...(app.selected === undefined ? {} : { node: app.selected }),
      ...(app.explained !== undefined && 'message' in app.explained ? { message: app.explained.message.id } : {}),
    });
    if (force || d.frame !== frame) $('logs').innerHTML = drawLogTable(frame);
    const events = app.events();
    const selectedEvent = app.explained !== undefined && 'event' in app.explained ? app.explained.event : undefined;
    if (force || events.length !== d.events || d.explained !== app.explained) $('events').innerHTML = drawEventList(events, selectedEvent);
    if (force || d.frame !== frame || d.explained !== app.explained) this.#drawWhy(app, frame);
    if (force || d.frame !== frame || d.selected !== app.selected) this.#drawSelection(app, frame);
    this.#drawTimeline(app);
    this.#drawGuide(app, force);
    d.frame = frame;
    d.events = events.length;
    d.explained = app.explained;
    d.selected = app.selected;
  }

  #drawTimeline(app: TeachApp): void {
    const scrub = $<HTMLInputElement>('scrub');
    const max = Math.max(app.session.horizon, app.time);
    scrub.max = String(Math.round(max));
    scrub.value = String(Math.round(app.time));
    scrub.setAttribute('aria-valuetext', `${(app.time / 1000).toFixed(3)} seconds`);
    $('clock').textContent = `${(app.time / 1000).toFixed(3)} s`;
    this.#drawSimStatus(app);
    const starts = app.narration?.starts ?? [];
    const key = `${Math.round(max)}|${starts.join(',')}`;
    if (key === this.#drawn.marks) return;
    this.#drawn.marks = key;
    const steps = app.scenario?.steps ?? [];
    $('marks').innerHTML = starts
      .map((t, k) => {
        const left = max > 0 ? (100 * t) / max : 0;
        return `<button type="button" class="mark" data-step="${k}" style="left:${left.toFixed(2)}%" aria-label="Go to step ${k + 1}" title="Step ${k + 1}: ${esc(steps[k]?.text.slice(0, 80) ?? '')}…"><span aria-hidden="true">${k + 1}</span></button>`;
      })
      .join('');
  }

  /** Says what the simulator is doing while the learner waits for it: replaying a changed past, or catching up. */
  #drawSimStatus(app: TeachApp): void {
    const replay = app.session.replaying;
    const text =
      replay !== undefined
        ? `replaying from the seed: ${(replay.done / 1000).toFixed(1)} of ${(replay.target / 1000).toFixed(1)} s`
        : app.busy
          ? 'simulating…'
          : app.playing && app.time >= app.session.horizon
            ? 'simulating ahead…'
            : '';
    const status = $('sim-status');
    if (status.textContent !== text) status.textContent = text;
  }

  #drawGuide(app: TeachApp, force: boolean): void {
    const scenario = app.scenario;
    const step = app.step;
    const key = `${scenario?.id ?? ''}|${app.narration?.begun ?? 0}|${app.playing}`;
    if (!force && step === this.#drawn.step && key === this.#drawn.scenario) return;
    this.#drawn.step = step;
    this.#drawn.scenario = key;
    const text = $('step-text');
    const nav = $('step-nav');
    if (scenario === undefined) {
      text.textContent = 'Pick a scenario to be walked through it step by step, or play freely: press Play and select the servers, links and messages.';
      nav.hidden = true;
      return;
    }
    nav.hidden = false;
    const steps = scenario.steps;
    if (text.textContent !== steps[step]!.text) text.textContent = steps[step]!.text;
    $<HTMLButtonElement>('prev-step').disabled = step === 0;
    $<HTMLButtonElement>('next-step').disabled = step >= steps.length - 1;
    $('step-count').textContent = `step ${step + 1} of ${steps.length}${app.playing ? ' · running…' : ''}`;
    for (const mark of document.querySelectorAll<HTMLElement>('#marks .mark')) mark.classList.toggle('current', Number(mark.dataset.step) === step);
  }

  #drawWhy(app: TeachApp, frame: Frame): void {
    const what = app.explained;
    const title = $('why-title');
    const body = $('why-text');
    const drop = $<HTMLButtonElement>('drop-message');
    if (what === undefined) {
      title.textContent = 'Why?';
      body.textContent = 'Select a message in flight or a line of the event log to see which rule of Raft acted.';
      drop.hidden = true;
      return;
    }
    if ('message' in what) {
      const m: MessageView = what.message;
      const flying = frame.messages.some((f) => f.id === m.id) && m.sendTime <= app.time && m.recvTime > app.time;
      title.textContent = `Why? ${describeMessageShort(m)}`;
      body.textContent = m.why;
      drop.hidden = false;
      drop.disabled = !flying;
      drop.textContent = flying ? `Drop message #${m.id}` : `Message #${m.id} is no longer in flight`;
      return;
    }
    const event = app.events()[what.event];
    drop.hidden = true;
    title.textContent = event === undefined ? 'Why?' : `Why? ${event.node === undefined ? '' : `${event.node.toUpperCase()} `}${event.text}`;
    body.textContent = event?.why ?? 'This event is later than the time shown.';
  }

  #drawSelection(app: TeachApp, frame: Frame): void {
    const node = frame.nodes.find((n) => n.id === app.selected);
    $('sel-name').textContent = node === undefined ? '—' : node.id.toUpperCase();
    $('sel-hint').textContent = node === undefined ? 'Select a server in the picture (click it, or Tab to it and press Enter).' : describeNode(node);
    for (const button of document.querySelectorAll<HTMLButtonElement>('#node-actions button')) {
      const act = button.dataset.act;
      const down = node?.role === 'down';
      button.disabled =
        node === undefined ||
        (act === 'restart' ? !down : down) ||
        (act === 'removeNode' && !node.member) ||
        (act === 'transfer' && (node.role === 'leader' || !node.member));
    }
    const addable = app.session.allNodes.find((id) => !frame.nodes.some((n) => n.id === id && n.member));
    $<HTMLButtonElement>('add-node').disabled = addable === undefined || members(frame).length >= maxNodes;
    $<HTMLButtonElement>('isolate-leader').disabled = currentLeader(frame) === undefined;
  }
}

import type { NodeId } from '@webraft/core';
import { setUpTheme } from '../shared/theme.ts';
import { speeds, TeachApp } from './app.ts';
import { describeAction, type Action } from './model/actions.ts';
import { currentLeader } from './model/queries.ts';
import { decodeRun, defaultRun, encodeRun, maxNodes, minNodes } from './model/url.ts';
import { scenarios, type StepAction } from './scenarios.ts';
import { simWorld } from './sim-world.ts';
import { TeachView } from './view/teach-view.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Asks before a change of the past drops recorded actions (a native modal dialog, keyboard-ready). */
function confirmDrop(dropped: readonly Action[]): Promise<boolean> {
  const dialog = $<HTMLDialogElement>('confirm-drop');
  const shown = dropped.slice(0, 8).map((a) => `<li>${(a.t / 1000).toFixed(3)} s: ${describeAction(a)}</li>`);
  if (dropped.length > 8) shown.push(`<li>and ${dropped.length - 8} more</li>`);
  $('drop-count').textContent = String(dropped.length);
  $('drop-list').innerHTML = shown.join('');
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'drop'), { once: true }));
}

function fillStaticInputs(): void {
  const nodes = $<HTMLSelectElement>('nodes');
  for (let n = minNodes; n <= maxNodes; n++) nodes.add(new Option(String(n), String(n)));
  const speed = $<HTMLSelectElement>('speed');
  for (const s of speeds) speed.add(new Option(`${s / 1000}×`, String(s)));
  const scenario = $<HTMLSelectElement>('scenario');
  scenario.add(new Option('— free play —', ''));
  for (const s of scenarios) scenario.add(new Option(s.title, s.id));
}

setUpTheme($<HTMLButtonElement>('theme'));
fillStaticInputs();
const app = new TeachApp(simWorld, new TeachView(), confirmDrop);

function loadFromUrl(): Promise<void> {
  try {
    return app.load(decodeRun(location.hash));
  } catch (error) {
    console.error(error);
    return app.load(defaultRun);
  }
}

/** Selecting in the picture: a message shows its why, a server its actions, a link is cut or healed. */
function activate(target: EventTarget | null): void {
  const el = target instanceof Element ? target : null;
  const message = el?.closest<SVGElement>('[data-msg]');
  if (message != null) {
    const view = app.frame().messages.find((m) => m.id === Number(message.dataset.msg));
    if (view !== undefined) {
      app.pause();
      app.explain({ message: view });
    }
    return;
  }
  const node = el?.closest<SVGElement>('[data-node]');
  if (node != null) return app.select(node.dataset.node);
  const link = el?.closest<SVGElement>('[data-link]');
  if (link != null) {
    const [a, b] = link.dataset.link!.split('|') as [NodeId, NodeId];
    void app.act({ kind: link.classList.contains('cut') ? 'heal' : 'cut', a, b });
    return;
  }
  app.select(undefined);
}

const cluster = $('cluster');
cluster.addEventListener('click', (event) => activate(event.target));
cluster.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  event.preventDefault();
  activate(event.target);
});

$('node-actions').addEventListener('click', (event) => {
  const kind = (event.target as HTMLElement).closest('button')?.dataset.act;
  if (kind === undefined || app.selected === undefined) return;
  void app.act({ kind, node: app.selected } as StepAction);
});
$('events').addEventListener('click', (event) => {
  const line = (event.target as HTMLElement).closest<HTMLElement>('[data-ev]');
  if (line !== null) app.explain({ event: Number(line.dataset.ev) });
});
$('drop-message').addEventListener('click', () => {
  const what = app.explained;
  if (what !== undefined && 'message' in what) void app.act({ kind: 'drop', msg: what.message.id });
});
$('isolate-leader').addEventListener('click', () => {
  const frame = app.frame();
  const leader = currentLeader(frame);
  if (leader === undefined) return;
  void app.act({ kind: 'partition', groups: [[leader.id], frame.nodes.filter((n) => n.id !== leader.id).map((n) => n.id)] });
});
$('split').addEventListener('click', () => {
  const frame = app.frame();
  const ids = frame.nodes.map((n) => n.id);
  const leader = currentLeader(frame)?.id;
  // Put the leader on the minority side: the interesting case (a stale leader).
  const ordered = leader === undefined ? ids : [leader, ...ids.filter((id) => id !== leader)];
  const minority = ordered.slice(0, Math.floor((ids.length - 1) / 2));
  void app.act({ kind: 'partition', groups: [minority, ordered.filter((id) => !minority.includes(id))] });
});
$('heal-all').addEventListener('click', () => void app.act({ kind: 'healAll' }));
$('add-node').addEventListener('click', () => {
  const frame = app.frame();
  const id = app.session.allNodes.find((n) => !frame.nodes.some((v) => v.id === n && v.member));
  if (id !== undefined) void app.act({ kind: 'addNode', node: id });
});

$('play').addEventListener('click', () => app.togglePlay());
$('step').addEventListener('click', () => void app.stepForward());
$('step-back').addEventListener('click', () => app.stepBack());
$('rewind').addEventListener('click', () => app.setTime(0));
$('scrub').addEventListener('input', (event) => {
  app.playing = false;
  app.setTime(Number((event.target as HTMLInputElement).value));
});
$('marks').addEventListener('click', (event) => {
  const mark = (event.target as HTMLElement).closest<HTMLElement>('[data-step]');
  if (mark !== null) app.goToStep(Number(mark.dataset.step));
});
$('next-step').addEventListener('click', () => void app.nextStep());
$('prev-step').addEventListener('click', () => app.previousStep());
$('speed').addEventListener('change', (event) => {
  app.speed = Number((event.target as HTMLSelectElement).value);
});
$('scenario').addEventListener('change', (event) => {
  const id = (event.target as HTMLSelectElement).value;
  if (id === '') void app.load({ ...defaultRun, seed: app.session.seed, nodes: app.session.nodes, classic: app.session.classic });
  else void app.startScenario(id);
});
$('new-run').addEventListener('click', () => {
  void app.load({ seed: Number($<HTMLInputElement>('seed').value) || 0, nodes: Number($<HTMLSelectElement>('nodes').value), classic: $<HTMLInputElement>('classic').checked, actions: [], time: 0 });
});
// The same run (seed, actions, time) under the other rules: the difference is the lesson.
$('classic').addEventListener('change', (event) => {
  void app.load({ ...app.runSpec(), time: app.time, classic: (event.target as HTMLInputElement).checked });
});
$('share').addEventListener('click', () => {
  const url = new URL(location.href);
  url.hash = encodeRun({ ...app.runSpec(), time: app.time });
  void navigator.clipboard?.writeText(url.href).catch(() => undefined);
  $('share').textContent = 'Link copied';
  setTimeout(() => ($('share').textContent = 'Copy link'), 1500);
});

/** Keys that a focused control handles itself (Space presses a button, arrows move a slider). */
function ownsKeys(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('button, input, select, textarea, a[href], summary, dialog, [role="button"], [tabindex]') !== null;
}

document.addEventListener('keydown', (event) => {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || ownsKeys(event.target)) return;
  if (event.key === ' ') {
    event.preventDefault();
    app.togglePlay();
  } else if (event.key === 'ArrowRight') void app.stepForward();
  else if (event.key === 'ArrowLeft') app.stepBack();
});
window.addEventListener('hashchange', () => {
  if (location.hash !== encodeRun(app.runSpec())) void loadFromUrl();
});

const freshVisit = location.hash === '';
app.run();
Object.assign(window, { teach: app });
// A first visit starts moving at once; a shared link opens paused where it was shared.
void loadFromUrl().then(() => {
  if (freshVisit) app.togglePlay();
});

import type { NodeId } from '@webraft/core';
import { fillStaticInputs, TeachApp } from './app.ts';
import { currentLeader } from './model/queries.ts';
import { decodeRun, defaultRun, encodeRun } from './model/url.ts';
import type { StepAction } from './scenarios.ts';
import { simWorld } from './sim-world.ts';

const app = new TeachApp(simWorld);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

fillStaticInputs();

function loadFromUrl(): void {
  try {
    app.load(decodeRun(location.hash));
  } catch (error) {
    console.error(error);
    app.load(defaultRun);
  }
}

// pointerdown, not click: while playing, the picture is redrawn every frame, so the element under
// the pointer at mouseup is a new one and a click would never fire.
$('cluster').addEventListener('pointerdown', (event) => {
  const target = event.target as Element;
  const message = target.closest<SVGElement>('[data-msg]');
  if (message !== null) return app.act({ kind: 'drop', msg: Number(message.dataset.msg) });
  const node = target.closest<SVGElement>('[data-node]');
  if (node !== null) {
    app.selected = node.dataset.node;
    return;
  }
  const link = target.closest<SVGElement>('[data-link]');
  if (link !== null) {
    const [a, b] = link.dataset.link!.split('|') as [NodeId, NodeId];
    app.act({ kind: link.classList.contains('cut') ? 'heal' : 'cut', a, b });
    return;
  }
  app.selected = undefined;
});

$('node-actions').addEventListener('click', (event) => {
  const kind = (event.target as HTMLElement).closest('button')?.dataset.act;
  if (kind === undefined || app.selected === undefined) return;
  app.act({ kind, node: app.selected } as StepAction);
});

$('isolate-leader').addEventListener('click', () => {
  const frame = app.frame();
  const leader = currentLeader(frame);
  if (leader === undefined) return;
  app.act({ kind: 'partition', groups: [[leader.id], frame.nodes.filter((n) => n.id !== leader.id).map((n) => n.id)] });
});

$('split').addEventListener('click', () => {
  const frame = app.frame();
  const ids = frame.nodes.map((n) => n.id);
  const leader = currentLeader(frame)?.id;
  // Put the leader on the minority side: the interesting case (a stale leader).
  const ordered = leader === undefined ? ids : [leader, ...ids.filter((id) => id !== leader)];
  const minority = ordered.slice(0, Math.floor((ids.length - 1) / 2));
  app.act({ kind: 'partition', groups: [minority, ordered.filter((id) => !minority.includes(id))] });
});

$('heal-all').addEventListener('click', () => app.act({ kind: 'healAll' }));

$('add-node').addEventListener('click', () => {
  const frame = app.frame();
  const id = app.session.allNodes.find((n) => !frame.nodes.some((v) => v.id === n && v.member));
  if (id !== undefined) app.act({ kind: 'addNode', node: id });
});

$('play').addEventListener('click', () => app.togglePlay());
$('step').addEventListener('click', () => app.stepForward());
$('step-back').addEventListener('click', () => app.stepBack());
$('rewind').addEventListener('click', () => app.setTime(0));
$('scrub').addEventListener('input', (event) => {
  app.playing = false;
  app.setTime(Number((event.target as HTMLInputElement).value));
});
$('speed').addEventListener('change', (event) => {
  app.speed = Number((event.target as HTMLSelectElement).value);
});
$('scenario').addEventListener('change', (event) => {
  const id = (event.target as HTMLSelectElement).value;
  if (id === '') app.load({ ...defaultRun, seed: app.session.seed, nodes: app.session.nodes });
  else app.startScenario(id);
});
$('new-run').addEventListener('click', () => {
  app.load({ seed: Number($<HTMLInputElement>('seed').value) || 0, nodes: Number($<HTMLSelectElement>('nodes').value), actions: [], time: 0 });
});
$('share').addEventListener('click', () => {
  const url = new URL(location.href);
  url.hash = encodeRun({ seed: app.session.seed, nodes: app.session.nodes, actions: app.session.actions, time: app.time });
  void navigator.clipboard?.writeText(url.href);
  $('share').textContent = 'Link copied';
  setTimeout(() => ($('share').textContent = 'Copy link'), 1500);
});
document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
  if (event.key === ' ') {
    event.preventDefault();
    app.togglePlay();
  } else if (event.key === 'ArrowRight') app.stepForward();
  else if (event.key === 'ArrowLeft') app.stepBack();
});
window.addEventListener('hashchange', () => {
  if (location.hash !== encodeRun({ seed: app.session.seed, nodes: app.session.nodes, actions: app.session.actions, time: app.time })) loadFromUrl();
});

const freshVisit = location.hash === '';
loadFromUrl();
// A first visit starts moving at once; a shared link opens paused where it was shared.
if (freshVisit) app.togglePlay();
app.run();
Object.assign(window, { teach: app });

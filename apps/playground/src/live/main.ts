import { drawEvents, drawLiveCluster, drawNodeTable, drawTodos } from './view.ts';
import { defaultSlots, SlotsTakenError } from './slots.ts';
import { LiveTab } from './tab.ts';
import { installTestApi } from './test-api.ts';
import type { TransportKind } from './protocol.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const transports: readonly TransportKind[] = ['broadcast', 'relay', 'webrtc'];
const transport = transports.find((t) => t === params.get('transport')) ?? 'broadcast';
const relayUrl = params.get('relay') ?? `ws://${location.hostname || '127.0.0.1'}:8787`;
const size = Math.min(7, Math.max(1, Number(params.get('nodes')) || defaultSlots.length));
const slots = 'abcdefg'.slice(0, size).split('');
// The size is part of the cluster's name: tabs that disagree on the slots must not share logs.
const cluster = `webraft-live-${params.get('cluster') ?? 'demo'}-${size}`.replace(/[^\w-]/g, '');
const requested = params.get('node') ?? sessionStorage.getItem(`${cluster}-slot`) ?? undefined;

const tab = new LiveTab({ cluster, slots, transport, relayUrl, ...(requested === undefined ? {} : { preferredSlot: requested }) });
installTestApi(tab);

$<HTMLSelectElement>('transport').value = transport;
$<HTMLInputElement>('relay').value = relayUrl;
$<HTMLInputElement>('relay').hidden = transport === 'broadcast';
$('slot-count').textContent = String(slots.length);
const reconfigure = () => {
  const next = new URLSearchParams(location.search);
  next.set('transport', $<HTMLSelectElement>('transport').value);
  next.set('relay', $<HTMLInputElement>('relay').value);
  location.search = next.toString();
};
$('transport').addEventListener('change', reconfigure);
$('relay').addEventListener('change', reconfigure);

const showError = (error: unknown) => {
  const el = $('todo-error');
  el.hidden = false;
  el.textContent = error instanceof Error ? error.message : String(error);
  setTimeout(() => (el.hidden = true), 4000);
};
let counter = 0;
const newId = () => `${tab.slot ?? 'x'}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

$('todo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('todo-text');
  const text = input.value.trim();
  if (text === '') return;
  tab.propose({ op: 'add', id: newId(), text, by: tab.slot ?? '' }).then(() => (input.value = ''), showError);
});
$('todo-list').addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  const toggle = target.dataset.toggle;
  const remove = target.dataset.remove;
  if (toggle !== undefined) {
    event.preventDefault();
    tab.propose({ op: 'toggle', id: toggle }).catch(showError);
  }
  if (remove !== undefined) tab.propose({ op: 'remove', id: remove }).catch(showError);
});
$('clear-done').addEventListener('click', () => tab.propose({ op: 'clearDone' }).catch(showError));
$('isolate').addEventListener('click', () => tab.isolate(!tab.isolated));
$('crash').addEventListener('click', () => tab.crash());
$('restart').addEventListener('click', () => tab.restart().catch(showError));
$('campaign').addEventListener('click', () => tab.campaign());
$('reload').addEventListener('click', () => location.reload());

let drawnTodos = '';
function render(): void {
  const now = Date.now();
  $('live-cluster').innerHTML = drawLiveCluster(tab, now);
  $('node-table').innerHTML = drawNodeTable(tab, now);
  const todos = drawTodos(tab.todos);
  if (todos !== drawnTodos) $('todo-list').innerHTML = drawnTodos = todos;
  $('todo-index').textContent = `applied through index ${tab.appliedIndex}`;
  $('live-events').innerHTML = drawEvents(tab.model.events);
  const r = tab.report;
  const slot = tab.slot?.toUpperCase() ?? '?';
  $('me-line').innerHTML = tab.crashed
    ? `This tab is node <b>${slot}</b> — <span class="badge" style="background:#c9ced6">crashed</span>`
    : `This tab is node <b>${slot}</b> — ${r === undefined ? 'starting…' : `${r.role === 'preCandidate' ? 'pre-candidate' : r.role}, term ${r.term}, commit ${r.commit}`}${tab.isolated ? ' <span class="badge" style="background:#f4a29a">isolated</span>' : ''}`;
  $('isolate').textContent = tab.isolated ? 'Reconnect this tab' : 'Isolate this tab';
  $<HTMLButtonElement>('crash').disabled = tab.crashed;
  $<HTMLButtonElement>('restart').disabled = !tab.crashed;
  $<HTMLButtonElement>('isolate').disabled = tab.crashed;
  $<HTMLButtonElement>('campaign').disabled = tab.crashed;
}

// Redraw on a timer rather than per message: gossip arrives many times a second per tab.
setInterval(render, 100);
tab.boot().catch((error: unknown) => {
  $('me-line').textContent =
    error instanceof SlotsTakenError ? `${error.message}. Close a tab or open ?nodes=${slots.length + 2} in every tab.` : `Could not start: ${String(error)}`;
});

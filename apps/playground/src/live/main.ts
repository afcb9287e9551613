import { LiveTab } from './live-tab.ts';
import { installTestApi, newTodoId } from './test-api.ts';
import { drawEvents, drawMe, drawTabs, drawTabTable, drawTodos } from './view.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const voters = Math.min(7, Math.max(1, Math.round(Number(params.get('voters'))) || 3));
// The number of voters is part of the store's name: a store keeps the voters it was created with.
const store = `live-${params.get('cluster') ?? 'demo'}-${voters}`.replace(/[^\w-]/g, '').slice(0, 80);

const tab = new LiveTab({ store, voters, requestTimeoutMs: 8000 });
installTestApi(tab);
$('voter-count').textContent = String(voters);

const showError = (error: unknown) => {
  const el = $('todo-error');
  el.hidden = false;
  el.textContent = error instanceof Error ? error.message : String(error);
  setTimeout(() => (el.hidden = true), 4000);
};
const by = () => (tab.status()?.slots.map((s) => `s${s}`).join(' ') || 'a learner');

$('todo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('todo-text');
  const text = input.value.trim();
  if (text === '') return;
  // The item shows at once as pending; the field is free for the next one.
  input.value = '';
  tab.dispatch({ op: 'add', id: newTodoId(), text, by: by() }).catch(showError);
});
$('todo-list').addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('[data-toggle], [data-remove], [data-dismiss]');
  if (target === null) return;
  const { toggle, remove, dismiss } = target.dataset;
  if (toggle !== undefined) {
    event.preventDefault();
    tab.dispatch({ op: 'toggle', id: toggle }).catch(showError);
  }
  if (remove !== undefined) tab.dispatch({ op: 'remove', id: remove }).catch(showError);
  if (dismiss !== undefined) tab.dismiss(Number(dismiss));
});
$('clear-done').addEventListener('click', () => tab.dispatch({ op: 'clearDone' }).catch(showError));
$('isolate').addEventListener('click', () => tab.isolate(!tab.isolated));
$('reload').addEventListener('click', () => location.reload());
$('open-tab').addEventListener('click', () => window.open(location.href, '_blank'));

let drawnTodos = '';
let scheduled = false;
function render(): void {
  scheduled = false;
  const now = Date.now();
  const status = tab.status();
  $('me-line').innerHTML = drawMe(tab, status, now);
  $('tab-map').innerHTML = drawTabs(tab, now);
  $('tab-table').innerHTML = drawTabTable(tab, now);
  const todos = drawTodos(tab.todos, tab.pending);
  if (todos !== drawnTodos) $('todo-list').innerHTML = drawnTodos = todos;
  $('todo-index').textContent = status === undefined ? '' : `${status.seq} command${status.seq === 1 ? '' : 's'} applied here`;
  $('live-events').innerHTML = drawEvents(tab.events);
  $('isolate').textContent = tab.isolated ? 'Reconnect this tab' : 'Isolate this tab';
  $<HTMLButtonElement>('isolate').disabled = !tab.started;
}
// Many changes can come in one task (every tab reports): draw once per frame at most.
tab.onChange = () => {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
};
// Silent tabs are marked by time alone, so draw now and then even when nothing is heard.
setInterval(render, 1000);
render();
tab.start().catch((error: unknown) => {
  $('me-line').textContent = `Could not open the shared list: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
});

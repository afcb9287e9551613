// A to-do list shared by the tabs of this origin: `createTabStore` replicates it between the
// tabs (BroadcastChannel) and keeps it in IndexedDB, so it works offline and survives reloads.
// No ids, no members: open one tab or twenty, close any.
import { createTabStore, type TabStoreStatus } from '@webraft/store';
import { applyTodo, noTodos, type Todo, type TodoCommand, type Todos } from './todos.ts';

const store = await createTabStore({
  name: 'todos',
  initialState: noTodos,
  apply: applyTodo,
  persist: true,
  // The store's Worker, as examples/web/serve.ts serves it (bundlers that understand
  // `new Worker(new URL(…, import.meta.url))` need no such line).
  worker: () => new Worker('/store-worker.js', { type: 'module', name: 'todos store' }),
});

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const list = $<HTMLUListElement>('#list');

function dispatch(command: TodoCommand): Promise<void> {
  return store.dispatch(command).then(
    () => undefined,
    (error: Error) => void ($('#error').textContent = `Not saved: ${error.message}`),
  );
}

const add = (text: string) => dispatch({ type: 'add', todo: { id: crypto.randomUUID(), text, done: false } });
const toggle = (todoId: string) => dispatch({ type: 'toggle', id: todoId });
const remove = (todoId: string) => dispatch({ type: 'remove', id: todoId });

function item(todo: Todo): HTMLLIElement {
  const li = document.createElement('li');
  li.className = todo.done ? 'done' : '';
  li.dataset.id = todo.id;
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = todo.done;
  box.setAttribute('aria-label', `done: ${todo.text}`);
  box.addEventListener('change', () => void toggle(todo.id));
  const text = document.createElement('span');
  text.textContent = todo.text;
  const del = document.createElement('button');
  del.className = 'remove';
  del.title = 'Remove';
  del.setAttribute('aria-label', `remove ${todo.text}`);
  del.textContent = '×';
  del.addEventListener('click', () => void remove(todo.id));
  li.append(box, text, del);
  return li;
}

function render(state: Todos): void {
  list.replaceChildren(...state.items.map(item));
  const left = state.items.filter((t) => !t.done).length;
  $('#left').textContent = state.items.length === 0 ? 'Nothing to do.' : `${left} of ${state.items.length} left`;
  $<HTMLButtonElement>('#clear').hidden = !state.items.some((t) => t.done);
}

/** The tabs open on this store, as the store sees them: who runs which voter slot, who leads. */
function renderStatus(status: TabStoreStatus): void {
  const role = status.role === 'voter' ? `votes (slot ${status.slots.join(', ')})` : status.role === 'learner' ? 'follows' : status.role;
  const leader = status.leaderTab === undefined ? 'no leader yet' : status.leading ? 'this tab leads' : `leader: tab ${status.leaderTab}`;
  const pending = status.pendingWrites > 0 ? `, ${status.pendingWrites} saving…` : '';
  $('#status').textContent = `${status.connected ? 'Connected' : 'Offline'}: this tab ${role}; ${leader}${pending}.`;
  $('#tabs').replaceChildren(...[...status.tabs].sort((a, b) => a.tab.localeCompare(b.tab)).map((tab) => {
    const li = document.createElement('li');
    const slots = tab.slots.length > 0 ? `slot ${tab.slots.join(', ')}` : 'learner';
    li.textContent = `${tab.tab === status.tab ? 'this tab' : `tab ${tab.tab}`}: ${slots}${tab.tab === status.leaderTab ? ' — leader' : ''}${tab.visible ? '' : ' (hidden)'}`;
    return li;
  }));
}

$('#new').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('#text');
  if (input.value.trim() !== '') void add(input.value);
  input.value = '';
});
$('#clear').addEventListener('click', () => void dispatch({ type: 'clearDone' }));

store.subscribe(render);
store.onStatus(renderStatus);
render(store.getState());
renderStatus(store.status());

// For the test (and the console).
Object.assign(globalThis, {
  todo: { ready: Promise.resolve(), add, toggle, remove, state: () => store.getState(), read: () => store.read(), status: () => store.status() },
});

// A to-do list shared by the tabs of this origin: each tab is a Raft node (BroadcastChannel
// between tabs, IndexedDB for its log), so the list works offline and survives reloads.
import { createTabStore } from '@webraft/store';
import { claimSlot } from '../web/slot.ts';
import { applyTodo, noTodos, type Todo, type TodoCommand, type Todos } from './todos.ts';

const members = ['t1', 't2', 't3'];
const id = await claimSlot('todos', members);
const store = await createTabStore({
  name: 'todos',
  id,
  members,
  initialState: noTodos,
  apply: applyTodo,
  logOptions: { onLocked: 'wait', persist: true },
});

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const list = $<HTMLUListElement>('#list');

function dispatch(command: TodoCommand): Promise<void> {
  return store.dispatch(command).then(
    () => undefined,
    (error: Error) => void ($('#status').textContent = `Not saved: ${error.message}`),
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
  box.addEventListener('change', () => void toggle(todo.id));
  const text = document.createElement('span');
  text.textContent = todo.text;
  const del = document.createElement('button');
  del.className = 'remove';
  del.title = 'Remove';
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

function renderStatus(): void {
  const leader = store.node.leader;
  $('#status').textContent = `This tab is ${id}. ${leader ? `Leader: ${leader === id ? 'this tab' : leader}.` : 'Waiting for a second tab…'}`;
}

$('#new').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('#text');
  if (input.value.trim() !== '') void add(input.value);
  input.value = '';
});
$('#clear').addEventListener('click', () => void dispatch({ type: 'clearDone' }));

store.subscribe(render);
store.node.on('leaderChanged', renderStatus);
render(store.getState());
renderStatus();

// For the test (and the console).
Object.assign(globalThis, {
  todo: { id, ready: store.node.waitForLeader({ timeoutMs: 60_000 }), add, toggle, remove, state: () => store.getState(), read: () => store.read() },
});

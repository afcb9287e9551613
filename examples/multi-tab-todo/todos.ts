// The to-do list as a reducer: every tab applies the same commands in the same order.
export interface Todo {
  readonly id: string;
  readonly text: string;
  readonly done: boolean;
}

export interface Todos {
  readonly items: readonly Todo[];
}

export type TodoCommand =
  | { readonly type: 'add'; readonly todo: Todo }
  | { readonly type: 'toggle'; readonly id: string }
  | { readonly type: 'remove'; readonly id: string }
  | { readonly type: 'clearDone' };

export const noTodos: Todos = { items: [] };

export const maxTextLength = 500;

export function applyTodo(state: Todos, command: TodoCommand): Todos {
  switch (command.type) {
    case 'add': {
      const { id, text } = command.todo;
      // A retried add (same id) or an empty one changes nothing.
      if (state.items.some((t) => t.id === id) || text.trim() === '') return state;
      return { items: [...state.items, { id, text: text.trim().slice(0, maxTextLength), done: false }] };
    }
    case 'toggle':
      return { items: state.items.map((t) => (t.id === command.id ? { ...t, done: !t.done } : t)) };
    case 'remove':
      return { items: state.items.filter((t) => t.id !== command.id) };
    case 'clearDone':
      return { items: state.items.filter((t) => !t.done) };
  }
}

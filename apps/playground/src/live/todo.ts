/**
 * The shared to-do list: the replicated state machine of the live cluster. Every tab's node
 * applies the same commands in the same order, so every tab shows the same list.
 */
import type { StateMachine } from '@webraft/core';

export interface Todo {
  readonly id: string;
  readonly text: string;
  readonly done: boolean;
  /** The node that proposed it, for the view. */
  readonly by: string;
}

export type TodoCommand =
  | { readonly op: 'add'; readonly id: string; readonly text: string; readonly by: string }
  | { readonly op: 'toggle'; readonly id: string }
  | { readonly op: 'edit'; readonly id: string; readonly text: string }
  | { readonly op: 'remove'; readonly id: string }
  | { readonly op: 'clearDone' };

export type TodoResult = { readonly ok: true; readonly count: number } | { readonly ok: false; readonly error: string };

export const maxTodoText = 200;

export class TodoCommandError extends Error {
  override readonly name = 'TodoCommandError';
}

/** Checks a command from an untrusted source (another tab, the test API) before it is proposed. */
export function validateTodoCommand(value: unknown): TodoCommand {
  if (typeof value !== 'object' || value === null) throw new TodoCommandError('a command is an object');
  const c = value as Record<string, unknown>;
  const text = (): string => {
    if (typeof c.text !== 'string' || c.text.trim() === '' || c.text.length > maxTodoText) {
      throw new TodoCommandError(`text must be 1–${maxTodoText} characters`);
    }
    return c.text.trim();
  };
  const id = (): string => {
    if (typeof c.id !== 'string' || !/^[\w-]{1,64}$/.test(c.id)) throw new TodoCommandError('id must be 1–64 word characters');
    return c.id;
  };
  switch (c.op) {
    case 'add':
      return { op: 'add', id: id(), text: text(), by: typeof c.by === 'string' ? c.by.slice(0, 16) : '' };
    case 'edit':
      return { op: 'edit', id: id(), text: text() };
    case 'toggle':
    case 'remove':
      return { op: c.op, id: id() };
    case 'clearDone':
      return { op: 'clearDone' };
    default:
      throw new TodoCommandError(`unknown op ${JSON.stringify(c.op)}`);
  }
}

export class TodoList implements StateMachine<TodoCommand, TodoResult> {
  #items: Todo[] = [];
  #listeners = new Set<(items: readonly Todo[], index: number) => void>();
  #applied = 0;

  get items(): readonly Todo[] {
    return this.#items;
  }

  onChange(listener: (items: readonly Todo[], index: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  apply(command: TodoCommand, index: number): TodoResult {
    const result = this.#apply(command);
    this.#applied = index;
    for (const l of this.#listeners) l(this.#items, index);
    return result;
  }

  #apply(command: TodoCommand): TodoResult {
    const at = 'id' in command ? this.#items.findIndex((t) => t.id === command.id) : -1;
    switch (command.op) {
      case 'add':
        if (at >= 0) return { ok: false, error: 'duplicate id' };
        this.#items = [...this.#items, { id: command.id, text: command.text, done: false, by: command.by }];
        break;
      case 'toggle':
      case 'edit':
      case 'remove': {
        if (at < 0) return { ok: false, error: 'no such item' };
        const item = this.#items[at]!;
        const next = [...this.#items];
        if (command.op === 'remove') next.splice(at, 1);
        else next[at] = command.op === 'toggle' ? { ...item, done: !item.done } : { ...item, text: command.text };
        this.#items = next;
        break;
      }
      case 'clearDone':
        this.#items = this.#items.filter((t) => !t.done);
        break;
    }
    return { ok: true, count: this.#items.length };
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.#items));
  }

  restore(data: Uint8Array): void {
    const items = JSON.parse(new TextDecoder().decode(data)) as Todo[];
    this.#items = Array.isArray(items) ? items : [];
    for (const l of this.#listeners) l(this.#items, this.#applied);
  }
}

/**
 * The shared to-do list: the state the live page's tab store replicates, and the commands that
 * change it. The reducer runs in every tab.
 */
import { withResult, type WithResult } from '@webraft/store';

export interface Todo {
  readonly id: string;
  readonly text: string;
  readonly done: boolean;
  /** The tab (or its voter slot) that added it, for the view. */
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

/** The to-do list as the tab store holds it. */
export type Todos = readonly Todo[];

/**
 * The reducer every tab runs for every committed command, in the same order, so every tab
 * shows the same list. Pure: a command that does not apply (an unknown id, a duplicate) leaves
 * the list as it is and says why in its result.
 */
export function applyTodo(items: Todos, command: TodoCommand): WithResult<Todos, TodoResult> {
  const at = 'id' in command ? items.findIndex((t) => t.id === command.id) : -1;
  let next: Todos = items;
  switch (command.op) {
    case 'add':
      if (at >= 0) return withResult(items, { ok: false, error: 'duplicate id' });
      next = [...items, { id: command.id, text: command.text, done: false, by: command.by }];
      break;
    case 'toggle':
    case 'edit':
    case 'remove': {
      if (at < 0) return withResult(items, { ok: false, error: 'no such item' });
      const item = items[at]!;
      const changed = [...items];
      if (command.op === 'remove') changed.splice(at, 1);
      else changed[at] = command.op === 'toggle' ? { ...item, done: !item.done } : { ...item, text: command.text };
      next = changed;
      break;
    }
    case 'clearDone':
      next = items.filter((t) => !t.done);
      break;
  }
  return withResult(next, { ok: true, count: next.length });
}

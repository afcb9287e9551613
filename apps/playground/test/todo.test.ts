import { describe, expect, it } from 'vitest';
import { applyTodo, TodoCommandError, validateTodoCommand, type TodoCommand, type Todos } from '../src/live/todo.ts';

/** Applies commands one after the other; returns the list and every result. */
function run(commands: readonly TodoCommand[], from: Todos = []) {
  let items = from;
  const results: unknown[] = [];
  for (const command of commands) {
    const { state, result } = applyTodo(items, command);
    items = state;
    results.push(result);
  }
  return { items, results };
}

describe('the replicated to-do list', () => {
  it('applies add, toggle, edit, remove and clearDone', () => {
    const { items, results } = run([
      { op: 'add', id: 'a', text: 'milk', by: 'a' },
      { op: 'add', id: 'b', text: 'eggs', by: 'b' },
      { op: 'toggle', id: 'a' },
      { op: 'edit', id: 'b', text: 'bread' },
    ]);
    expect(results[0]).toEqual({ ok: true, count: 1 });
    expect(items.map((t) => [t.text, t.done])).toEqual([['milk', true], ['bread', false]]);
    const cleared = run([{ op: 'clearDone' }, { op: 'remove', id: 'zz' }, { op: 'add', id: 'b', text: 'x', by: '' }], items);
    expect(cleared.items.map((t) => t.id)).toEqual(['b']);
    expect(cleared.results.slice(1)).toEqual([{ ok: false, error: 'no such item' }, { ok: false, error: 'duplicate id' }]);
  });

  it('never changes the list it was given (the store keeps the states it handed out)', () => {
    const before = run([{ op: 'add', id: 'a', text: 'milk', by: 'a' }]).items;
    const frozen = JSON.stringify(before);
    run([{ op: 'toggle', id: 'a' }, { op: 'edit', id: 'a', text: 'oat milk' }, { op: 'remove', id: 'a' }], before);
    expect(JSON.stringify(before)).toBe(frozen);
    expect(applyTodo(before, { op: 'remove', id: 'nope' }).state).toBe(before);
  });

  it('validates untrusted commands with a typed error', () => {
    expect(validateTodoCommand({ op: 'add', id: 'x1', text: '  hi ', by: 'a' })).toEqual({ op: 'add', id: 'x1', text: 'hi', by: 'a' });
    for (const bad of [null, 3, {}, { op: 'add', id: 'x', text: '' }, { op: 'add', id: 'bad id!', text: 'a' }, { op: 'toggle' }, { op: 'nuke' }, { op: 'add', id: 'x', text: 'a'.repeat(201) }]) {
      expect(() => validateTodoCommand(bad)).toThrow(TodoCommandError);
    }
  });
});

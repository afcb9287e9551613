import { describe, expect, it } from 'vitest';
import { TodoCommandError, TodoList, validateTodoCommand } from '../src/live/todo.ts';

describe('the replicated to-do list', () => {
  it('applies add, toggle, edit, remove and clearDone', () => {
    const list = new TodoList();
    expect(list.apply({ op: 'add', id: 'a', text: 'milk', by: 'a' }, 1)).toEqual({ ok: true, count: 1 });
    list.apply({ op: 'add', id: 'b', text: 'eggs', by: 'b' }, 2);
    list.apply({ op: 'toggle', id: 'a' }, 3);
    list.apply({ op: 'edit', id: 'b', text: 'bread' }, 4);
    expect(list.items.map((t) => [t.text, t.done])).toEqual([['milk', true], ['bread', false]]);
    list.apply({ op: 'clearDone' }, 5);
    expect(list.items.map((t) => t.id)).toEqual(['b']);
    expect(list.apply({ op: 'remove', id: 'zz' }, 6)).toEqual({ ok: false, error: 'no such item' });
    expect(list.apply({ op: 'add', id: 'b', text: 'x', by: '' }, 7)).toEqual({ ok: false, error: 'duplicate id' });
  });

  it('restores from its own snapshot', () => {
    const a = new TodoList();
    a.apply({ op: 'add', id: 'a', text: 'milk', by: 'a' }, 1);
    a.apply({ op: 'toggle', id: 'a' }, 2);
    const b = new TodoList();
    b.restore(a.snapshot());
    expect(b.items).toEqual(a.items);
  });

  it('validates untrusted commands with a typed error', () => {
    expect(validateTodoCommand({ op: 'add', id: 'x1', text: '  hi ', by: 'a' })).toEqual({ op: 'add', id: 'x1', text: 'hi', by: 'a' });
    for (const bad of [null, 3, {}, { op: 'add', id: 'x', text: '' }, { op: 'add', id: 'bad id!', text: 'a' }, { op: 'toggle' }, { op: 'nuke' }, { op: 'add', id: 'x', text: 'a'.repeat(201) }]) {
      expect(() => validateTodoCommand(bad)).toThrow(TodoCommandError);
    }
  });
});

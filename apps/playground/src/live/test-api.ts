/**
 * `window.webraft`: the same actions as the buttons, for scripts and end-to-end tests.
 * Documented in the README; keep the two in step.
 */
import type { TabStoreStatus } from '@webraft/store';
import type { HistoryOp, LiveEvent, LiveTab, PendingWrite } from './live-tab.ts';
import type { TabRow } from './tabs-model.ts';
import type { TodoCommand, TodoResult, Todos } from './todo.ts';

export interface WebraftTestApi {
  /** Resolves once this tab runs a node of the store (a voter slot, or a learner that joined). */
  ready(): Promise<void>;
  /** This tab's id in the store ('' before it opened). */
  tab(): string;
  /** The store's status as this tab sees it (see @webraft/store: role, slots, leader, tabs...). */
  status(): TabStoreStatus | undefined;
  /** Every open tab as this page shows it. */
  tabs(): TabRow[];
  /** The list as this tab has applied it, with this tab's writes still pending or given up. */
  todos(): { items: Todos; seq: number; pending: readonly PendingWrite[] };
  /** Replicates a command; resolves with the reducer's result once this tab's list includes it. */
  propose(command: TodoCommand): Promise<TodoResult | undefined>;
  /** Adds an item with a fresh id; resolves with the id once this tab's list includes it. */
  add(text: string): Promise<string>;
  /** A linearizable read of the list. */
  read(): Promise<Todos>;
  isolate(): void;
  heal(): void;
  /** Reloads the page (the list survives in IndexedDB). */
  reload(): void;
  /** Operations made through this tab, in the project's history format. */
  history(): readonly HistoryOp[];
  /** What this tab saw happen: tabs closing, who leads, its own role. */
  events(): readonly LiveEvent[];
}

let counter = 0;

/** A fresh item id, unique across tabs. */
export function newTodoId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${(counter++).toString(36)}`;
}

export function installTestApi(tab: LiveTab): WebraftTestApi {
  const api: WebraftTestApi = {
    ready: () => tab.start(),
    tab: () => tab.status()?.tab ?? '',
    status: () => tab.status(),
    tabs: () => tab.rows(Date.now()),
    todos: () => ({ items: tab.todos, seq: tab.status()?.seq ?? 0, pending: tab.pending }),
    propose: (command) => tab.dispatch(command),
    add: async (text) => {
      const id = newTodoId();
      await tab.dispatch({ op: 'add', id, text, by: tab.status()?.slots.map((s) => `s${s}`).join(' ') || 'a learner' });
      return id;
    },
    read: () => tab.read(),
    isolate: () => tab.isolate(true),
    heal: () => tab.isolate(false),
    reload: () => location.reload(),
    history: () => tab.history,
    events: () => tab.events,
  };
  Object.assign(window, { webraft: api });
  return api;
}

/**
 * `window.webraft`: the same actions as the buttons, for scripts and end-to-end tests.
 * Documented in the README; keep the two in step.
 */
import type { NodeId } from '@webraft/core';
import type { SlotView } from './cluster-model.ts';
import type { LiveEvent, NodeReport } from './protocol.ts';
import type { HistoryOp, LiveTab } from './tab.ts';
import type { Todo, TodoCommand } from './todo.ts';

export interface WebraftTestApi {
  /** Resolves once this tab's node has loaded its log and started. */
  ready(): Promise<void>;
  /** This tab's slot (node id). */
  slot(): NodeId | undefined;
  /** This node's latest status, or undefined while crashed. */
  status(): NodeReport | undefined;
  /** Every slot as this tab sees it (its own node and the others' gossip). */
  cluster(): SlotView[];
  /** The to-do list as applied by this node, and the index it reflects. */
  todos(): { items: readonly Todo[]; applied: number };
  /** Propose a command through this node; resolves with the apply result. */
  propose(command: TodoCommand): Promise<unknown>;
  /** Shorthand for propose({ op: 'add', ... }) with a fresh id; resolves with the id. */
  add(text: string): Promise<string>;
  /** A linearizable read: resolves with the list once this node is up to date. */
  read(): Promise<unknown>;
  isolate(): void;
  heal(): void;
  crash(): void;
  restart(): Promise<void>;
  campaign(): void;
  /** Reloads the page; the tab takes back its slot and recovers the node from IndexedDB. */
  reload(): void;
  /** Operations made through this tab, in the project's history format. */
  history(): readonly HistoryOp[];
  /** Events of this node and of the others heard over gossip. */
  events(): readonly LiveEvent[];
}

let counter = 0;

export function installTestApi(tab: LiveTab): WebraftTestApi {
  const api: WebraftTestApi = {
    ready: () => tab.ready(),
    slot: () => tab.slot,
    status: () => tab.report,
    cluster: () => tab.model.view(Date.now()),
    todos: () => ({ items: tab.todos, applied: tab.appliedIndex }),
    propose: (command) => tab.propose(command),
    add: async (text) => {
      const id = `${tab.slot ?? 'x'}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
      await tab.propose({ op: 'add', id, text, by: tab.slot ?? '' });
      return id;
    },
    read: () => tab.read(),
    isolate: () => tab.isolate(true),
    heal: () => tab.isolate(false),
    crash: () => tab.crash(),
    restart: () => tab.restart(),
    campaign: () => tab.campaign(),
    reload: () => location.reload(),
    history: () => tab.history,
    events: () => tab.model.events,
  };
  Object.assign(window, { webraft: api });
  return api;
}

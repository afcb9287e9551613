/**
 * One live tab: opens the shared to-do list as a tab store (`createTabStore`: no ids, no
 * members — the store places its voter slots and learners among the open tabs), tells the
 * other tabs how it is doing on a side channel, learns the moment another tab closes (Web
 * Locks), keeps the writes it is waiting for, and isolates itself on request. Every button and
 * every test-API call goes through the methods here.
 */
import { createTabStore, type TabStore, type TabStoreStatus } from '@webraft/store';
import { isolationChannel, type IsolationControl } from './isolation.ts';
import { leaderRow, parseGossip, shortTab, TabsModel, type Gossip, type TabReport, type TabRow } from './tabs-model.ts';
import { applyTodo, type TodoCommand, type TodoResult, type Todos } from './todo.ts';

export interface LiveOptions {
  /** The store's name: tabs that open the same name share one list. */
  readonly store: string;
  /** Voter slots of the store (fixed when the store is first created). */
  readonly voters: number;
  /** How long a write waits for a leader before it is given up (its outcome is then unknown). */
  readonly requestTimeoutMs: number;
}

/** One client operation as the project's history format records it (see DESIGN.md "Measuring"). */
export interface HistoryOp {
  readonly client: string;
  readonly input: TodoCommand | { readonly op: 'read' };
  readonly output: unknown;
  readonly call: number;
  readonly return: number;
  readonly type: 'ok' | 'fail' | 'info';
}

/**
 * A write of this tab not known to be in the list yet: waiting for the store; given up without
 * an answer (`unknown`: it may still take effect, as a timeout says nothing either way); or
 * refused (it did not take effect).
 */
export interface PendingWrite {
  readonly key: number;
  readonly command: TodoCommand;
  readonly since: number;
  state: 'pending' | 'unknown' | 'refused';
  error?: string;
}

export interface LiveEvent {
  readonly time: number;
  readonly text: string;
}

const held = new Promise<never>(() => {});
const pageLock = (store: string, tab: string) => `webraft-live:${store}:page:${tab}`;
/** How often a tab repeats its report when nothing changes. */
const reportEveryMs = 1000;

export class LiveTab {
  readonly model = new TabsModel();
  readonly history: HistoryOp[] = [];
  readonly events: LiveEvent[] = [];
  readonly pending: PendingWrite[] = [];
  isolated = false;
  onChange: () => void = () => {};
  #store: TabStore<Todos, TodoCommand, TodoResult> | undefined;
  readonly #gossip: BroadcastChannel;
  readonly #workerName = `webraft-live-${Math.random().toString(36).slice(2, 10)}`;
  readonly #isolation: BroadcastChannel;
  readonly #watched = new Set<string>();
  #started: Promise<void> | undefined;
  #nextKey = 1;
  #lastLeader: string | undefined;
  #lastRole = '';

  constructor(readonly options: LiveOptions) {
    this.#gossip = new BroadcastChannel(`webraft-live:${options.store}:gossip`);
    this.#gossip.onmessage = (event: MessageEvent<unknown>) => {
      const gossip = parseGossip(event.data);
      if (gossip !== undefined) this.#hear(gossip);
    };
    this.#isolation = new BroadcastChannel(isolationChannel(this.#workerName));
  }

  /** Opens the store; resolves once a node of this tab runs (a voter slot, or a learner that joined). */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const store = await createTabStore({
        name: this.options.store,
        initialState: [] as Todos,
        apply: applyTodo,
        maxVoters: this.options.voters,
        requestTimeoutMs: this.options.requestTimeoutMs,
        worker: () => new Worker(new URL('./store-worker.ts', import.meta.url), { type: 'module', name: this.#workerName }),
      });
      this.#store = store;
      store.subscribe((items) => {
        this.#settleUnknown(items);
        this.onChange();
      });
      store.onStatus((status) => this.#statusChanged(status));
      this.#statusChanged(store.status());
      setInterval(() => this.#report(), reportEveryMs);
      this.#gossip.postMessage({ t: 'hello', tab: store.status().tab } satisfies Gossip);
      addEventListener('pagehide', () => this.#gossip.postMessage({ t: 'bye', tab: store.status().tab } satisfies Gossip));
    })();
    return this.#started;
  }

  get started(): boolean {
    return this.#store !== undefined;
  }

  status(): TabStoreStatus | undefined {
    return this.#store?.status();
  }

  get todos(): Todos {
    return this.#store?.getState() ?? [];
  }

  rows(now: number): TabRow[] {
    const status = this.status();
    return status === undefined ? [] : this.model.rows(status, now);
  }

  /** Replicates `command`; it shows as pending at once, and as in doubt (or refused) if the store gives up on it. */
  async dispatch(command: TodoCommand): Promise<TodoResult | undefined> {
    const write: PendingWrite = { key: this.#nextKey++, command, since: Date.now(), state: 'pending' };
    this.pending.push(write);
    this.onChange();
    try {
      const result = await this.#request(command, (store) => store.dispatch(command));
      this.pending.splice(this.pending.indexOf(write), 1);
      return result;
    } catch (error) {
      write.state = error instanceof Error && error.name === 'TimeoutError' ? 'unknown' : 'refused';
      write.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw error;
    } finally {
      this.onChange();
    }
  }

  /** Forgets a write that was given up. */
  dismiss(key: number): void {
    const at = this.pending.findIndex((w) => w.key === key && w.state !== 'pending');
    if (at >= 0) this.pending.splice(at, 1);
    this.onChange();
  }

  /** An item given up on without an answer that shows up in the list after all took effect: it is no longer in doubt. */
  #settleUnknown(items: Todos): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const w = this.pending[i]!;
      if (w.state === 'unknown' && w.command.op === 'add' && items.some((t) => t.id === (w.command as { id: string }).id)) this.pending.splice(i, 1);
    }
  }

  /** A linearizable read of the list. */
  read(): Promise<Todos> {
    return this.#request({ op: 'read' }, (store) => store.read());
  }

  /** Cuts (or restores) the Raft traffic between this tab's nodes and the other tabs'. */
  isolate(on: boolean): void {
    this.isolated = on;
    this.#isolation.postMessage({ isolated: on } satisfies IsolationControl);
    this.#log(on ? 'this tab is isolated: its nodes hear no other tab' : 'this tab is reconnected');
    this.#report();
    this.onChange();
  }

  async #request<T>(input: HistoryOp['input'], run: (store: TabStore<Todos, TodoCommand, TodoResult>) => Promise<T>): Promise<T> {
    const call = performance.now();
    const client = this.status()?.tab ?? '?';
    const store = this.#store;
    try {
      if (store === undefined) throw new Error('the store is not open yet');
      const value = await run(store);
      this.history.push({ client, input, output: value, call, return: performance.now(), type: 'ok' });
      return value;
    } catch (error) {
      // A timeout may still take effect later: its outcome is unknown.
      const e = error as Error;
      this.history.push({ client, input, output: e.message, call, return: performance.now(), type: e.name === 'TimeoutError' ? 'info' : 'fail' });
      throw error;
    }
  }

  #statusChanged(status: TabStoreStatus): void {
    if (status.tab !== '' && !this.#watched.has(status.tab)) {
      this.#watched.add(status.tab);
      void navigator.locks.request(pageLock(this.options.store, status.tab), () => held);
    }
    for (const info of status.tabs) this.#watch(info.tab);
    const role = status.role === 'voter' ? `runs voter slot${status.slots.length > 1 ? 's' : ''} ${status.slots.map((s) => `s${s}`).join(', ')}` : status.role === 'learner' ? 'follows as a learner' : '';
    if (role !== '' && role !== this.#lastRole) this.#log(`this tab ${role}`);
    this.#lastRole = role;
    this.#report();
  }

  #report(): void {
    const status = this.#store?.status();
    if (status === undefined) return;
    const report: TabReport = {
      tab: status.tab,
      role: status.role,
      slots: status.slots,
      leading: status.leading,
      connected: status.connected,
      term: status.term,
      commit: status.commit,
      seq: status.seq,
      pendingWrites: status.pendingWrites,
      isolated: this.isolated,
      visible: document.visibilityState !== 'hidden',
    };
    this.model.hear(report, Date.now());
    this.#gossip.postMessage({ t: 'report', report } satisfies Gossip);
    this.#changed();
  }

  #hear(gossip: Gossip): void {
    switch (gossip.t) {
      case 'report':
        this.model.hear(gossip.report, Date.now());
        this.#watch(gossip.report.tab);
        break;
      case 'hello':
        this.#report();
        break;
      case 'bye':
        this.#closed(gossip.tab);
        break;
    }
    this.#changed();
  }

  /**
   * Waits for another tab's page lock: the browser frees it the moment that tab closes,
   * crashes or reloads, and then this tab stops showing it. A tab not holding its lock yet
   * (it is still starting) is looked at again shortly.
   */
  #watch(tab: string): void {
    if (tab === '' || this.#watched.has(tab)) return;
    this.#watched.add(tab);
    const name = pageLock(this.options.store, tab);
    const wait = async (): Promise<void> => {
      for (;;) {
        const state = await navigator.locks.query();
        if ((state.held ?? []).some((lock) => lock.name === name)) break;
        if (this.model.isGone(tab)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await navigator.locks.request(name, () => undefined);
      this.#closed(tab);
    };
    void wait();
  }

  #closed(tab: string): void {
    if (tab === this.status()?.tab || !this.model.gone(tab)) return;
    this.#log(`tab ${shortTab(tab)} closed`);
    this.#changed();
  }

  /** Logs who leads when that changes, then redraws. */
  #changed(): void {
    const leader = leaderRow(this.rows(Date.now()));
    const key = leader === undefined ? '' : `${leader.tab}@${leader.report?.term ?? 0}`;
    if (this.#lastLeader !== undefined && key !== this.#lastLeader) {
      this.#log(leader === undefined ? 'no tab leads now' : `tab ${shortTab(leader.tab)}${leader.me ? ' (this tab)' : ''} leads, term ${leader.report?.term ?? 0}`);
    }
    this.#lastLeader = key;
    this.onChange();
  }

  #log(text: string): void {
    this.events.push({ time: Date.now(), text });
    if (this.events.length > 200) this.events.splice(0, this.events.length - 200);
  }
}

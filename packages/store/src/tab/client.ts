/**
 * `createTabStore`: the page side. It starts the host (a dedicated Worker by default, or the
 * page itself), keeps the replicas the reducer runs on, and turns the store API into messages:
 * dispatches of one task travel together, each answered with the seq of its command, which the
 * page then answers from its replicas.
 */
import type { FrameSecret } from '@webraft/core';
import type { Reducer } from '../reducer.ts';
import { jsonStateSerializer, type StateSerializer } from '../serializer.ts';
import type { HostEnvironment } from './host.ts';
import type { HostConfig, HostStatus, HostToPage, PageToHost, Port, RemoteError } from './protocol.ts';
import { toRemoteError } from './protocol.ts';
import { Replicas, type TabStateListener } from './replicas.ts';
import { TabStoreClosedError, TabStoreOptionsError, TabStoreRequestError } from './errors.ts';

export interface TabStoreOptions<S, C, R> {
  /** Names the store: every tab of this origin that opens the same name shares its state. */
  readonly name: string;
  readonly initialState: S;
  /** The reducer run for every committed command, in every tab (see `Reducer`). */
  readonly apply: Reducer<S, C, R>;
  /** Voters of the store, whatever the number of tabs (1 to 7; odd numbers make sense). Fixed when the store is first created. @default 3 */
  readonly maxVoters?: number;
  /**
   * Where the store's nodes run: a dedicated Worker (timers of hidden tabs are throttled, a
   * Worker's are not), made by this function, or `false` for the page itself.
   * @default a module Worker on this package's `worker.js`
   */
  readonly worker?: false | (() => Worker);
  /** @default JSON */
  readonly serializer?: StateSerializer<S>;
  /** Authenticates every message between the tabs (HMAC-SHA-256). */
  readonly secret?: FrameSecret;
  /** Ask the browser to keep the origin's storage (`navigator.storage.persist()`). @default false */
  readonly persist?: boolean;
  /** @default 50 */
  readonly tickMs?: number;
  /** @default 10 */
  readonly electionTicks?: number;
  /** @default 2 */
  readonly heartbeatTicks?: number;
  /** Default timeout of `dispatch` and `read`. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** @default 10000 */
  readonly snapshotEvery?: number;
  /** Commands dispatched together share a log entry, up to this many. @default 64 */
  readonly maxBatchCommands?: number;
  /** In-page mode only: Web Locks, IndexedDB and BroadcastChannel to use (tests, other hosts). */
  readonly environment?: HostEnvironment;
}

export interface TabStoreRequestOptions {
  /** @default the store's `requestTimeoutMs` */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** What a UI shows about the store: is this tab connected, who leads, what is pending. */
export interface TabStoreStatus extends HostStatus {
  /** Dispatches of this tab not answered yet. */
  readonly pendingWrites: number;
  /** Commands in this tab's state. */
  readonly seq: number;
  /** This tab runs the leader. */
  readonly leading: boolean;
}

export interface TabStore<S, C, R = undefined> {
  /**
   * Replicates `command` and resolves with the reducer's result (see `withResult`) once this
   * tab's state includes it. Rejects with the reducer's own error, a TabStoreRequestError
   * named after the node's error (TimeoutError, NotLeaderError, ...: the outcome may be
   * unknown) or TabStoreClosedError.
   */
  dispatch(command: C, options?: TabStoreRequestOptions): Promise<R | undefined>;
  /** This tab's state (it may be behind the leader). */
  getState(): S;
  /** Called after every change of this tab's state; returns the unsubscribe function. */
  subscribe(listener: TabStateListener<S, C>): () => void;
  /** A linearizable read: the state including every command committed before the call. */
  read(options?: TabStoreRequestOptions): Promise<S>;
  status(): TabStoreStatus;
  /** Called whenever `status()` changes; returns the unsubscribe function. */
  onStatus(listener: (status: TabStoreStatus) => void): () => void;
  /** Stops this tab's nodes and lets its slots go to the other tabs. */
  close(): Promise<void>;
}

const defaults = { maxVoters: 3, tickMs: 50, electionTicks: 10, heartbeatTicks: 2, requestTimeoutMs: 10_000, snapshotEvery: 10_000, maxBatchCommands: 64 };

function checkOptions(options: TabStoreOptions<unknown, unknown, unknown>): void {
  if (typeof options !== 'object' || options === null) throw new TabStoreOptionsError('options', 'must be an object');
  if (typeof options.name !== 'string' || options.name === '' || options.name.length > 100) throw new TabStoreOptionsError('name', 'must be a string of 1 to 100 characters');
  if (typeof options.apply !== 'function') throw new TabStoreOptionsError('apply', 'must be a reducer function');
  const voters = options.maxVoters ?? defaults.maxVoters;
  if (!Number.isInteger(voters) || voters < 1 || voters > 7) throw new TabStoreOptionsError('maxVoters', `must be an integer from 1 to 7, got ${String(voters)}`);
  for (const key of ['tickMs', 'electionTicks', 'heartbeatTicks', 'requestTimeoutMs', 'maxBatchCommands'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new TabStoreOptionsError(key, `must be a positive integer, got ${String(value)}`);
  }
  if (options.worker !== undefined && options.worker !== false && typeof options.worker !== 'function') {
    throw new TabStoreOptionsError('worker', 'must be false or a function that makes a Worker');
  }
}

function defaultWorker(name: string): Worker {
  // Kept out of `new Worker(new URL(...))`'s literal form so bundlers that rewrite it leave a custom `worker` alone.
  const url = new URL('../worker.js', import.meta.url);
  return new Worker(url, { type: 'module', name: `webraft:${name}` });
}

/**
 * State shared by the tabs of one origin: a reducer over commands, replicated by Raft between
 * the tabs (BroadcastChannel) and kept in IndexedDB. No ids, no members: any number of tabs can
 * open and close; see the package README for how.
 *
 * ```ts
 * const store = await createTabStore({ name: 'todos', initialState: [], apply: (todos, todo) => [...todos, todo] });
 * store.subscribe(render);
 * await store.dispatch('milk');
 * ```
 */
export async function createTabStore<S, C, R = undefined>(options: TabStoreOptions<S, C, R>): Promise<TabStore<S, C, R>> {
  checkOptions(options as TabStoreOptions<unknown, unknown, unknown>);
  const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
  const config: HostConfig = {
    name: options.name,
    maxVoters: options.maxVoters ?? defaults.maxVoters,
    tickMs: options.tickMs ?? defaults.tickMs,
    electionTicks: options.electionTicks ?? defaults.electionTicks,
    heartbeatTicks: options.heartbeatTicks ?? defaults.heartbeatTicks,
    requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    snapshotEvery: options.snapshotEvery ?? defaults.snapshotEvery,
    maxBatchCommands: options.maxBatchCommands ?? defaults.maxBatchCommands,
    persist: options.persist ?? false,
    visible,
    ...(options.secret === undefined ? {} : { secret: options.secret }),
  };
  let port: Port;
  let worker: Worker | undefined;
  if (options.worker === false) {
    const { serveTabHost } = await import('./host.ts');
    const channel = new MessageChannel();
    serveTabHost(channel.port2, options.environment);
    port = channel.port1;
  } else {
    worker = options.worker === undefined ? defaultWorker(options.name) : options.worker();
    port = worker;
  }
  const client = new TabStoreClient<S, C, R>(options, config, port, worker);
  await client.started;
  return client;
}

class TabStoreClient<S, C, R> implements TabStore<S, C, R> {
  readonly started: Promise<void>;
  readonly #replicas: Replicas<S, C, R>;
  readonly #serializer: StateSerializer<S>;
  readonly #pending = new Map<number, { resolve: (value: { node: string; seq: number }) => void; reject: (error: Error) => void }>();
  readonly #statusListeners = new Set<(status: TabStoreStatus) => void>();
  #batch: { req: number; command: unknown; timeoutMs: number | undefined }[] = [];
  #nextReq = 1;
  #writes = 0;
  #hostStatus: HostStatus | undefined;
  #status: TabStoreStatus | undefined;
  #closed: Promise<void> | undefined;
  #markClosed: (() => void) | undefined;
  #failed: Error | undefined;

  constructor(
    options: TabStoreOptions<S, C, R>,
    config: HostConfig,
    private readonly port: Port,
    private readonly worker: Worker | undefined,
  ) {
    this.#serializer = options.serializer ?? jsonStateSerializer<S>();
    this.#replicas = new Replicas(options.initialState, options.apply, this.#serializer);
    let ready!: () => void;
    let failed!: (error: Error) => void;
    this.started = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    port.onmessage = (event: MessageEvent<HostToPage[]>) => {
      for (const message of event.data) this.#receive(message, ready, failed);
    };
    if (worker !== undefined) {
      worker.onerror = (event) => failed(new TabStoreRequestError({ name: 'WorkerError', message: event.message || 'the tab store worker failed to load' }));
    }
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => this.#post({ t: 'visible', visible: document.visibilityState !== 'hidden' }));
    }
    this.#post({ t: 'init', config });
  }

  dispatch(command: C, options: TabStoreRequestOptions = {}): Promise<R | undefined> {
    const refused = this.#refuse(options);
    if (refused !== undefined) return refused;
    const req = this.#nextReq++;
    if (this.#batch.length === 0) queueMicrotask(() => this.#flush());
    this.#batch.push({ req, command, timeoutMs: options.timeoutMs });
    this.#writes++;
    this.#statusChanged();
    return this.#await(req, options.signal)
      .then(async ({ seq }) => {
        await this.#replicas.reached(seq);
        const outcome = this.#replicas.outcome(seq);
        if ('error' in outcome) throw outcome.error;
        return outcome.result;
      })
      .finally(() => {
        this.#writes--;
        this.#statusChanged();
      });
  }

  getState(): S {
    return this.#replicas.view.state;
  }

  subscribe(listener: TabStateListener<S, C>): () => void {
    this.#replicas.listeners.add(listener);
    return () => void this.#replicas.listeners.delete(listener);
  }

  async read(options: TabStoreRequestOptions = {}): Promise<S> {
    const refused = this.#refuse(options);
    if (refused !== undefined) return refused;
    const req = this.#nextReq++;
    this.#post({ t: 'read', req, timeoutMs: options.timeoutMs });
    const { seq } = await this.#await(req, options.signal);
    await this.#replicas.reached(seq);
    return this.#replicas.view.state;
  }

  status(): TabStoreStatus {
    if (this.#status === undefined) {
      const host = this.#hostStatus ?? emptyStatus;
      this.#status = {
        ...host,
        role: this.#closed !== undefined ? 'closed' : host.role,
        pendingWrites: this.#writes,
        seq: this.#replicas.view.seq,
        leading: host.leaderTab !== undefined && host.leaderTab === host.tab,
      };
    }
    return this.#status;
  }

  onStatus(listener: (status: TabStoreStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => void this.#statusListeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#markClosed = resolve;
      this.#post({ t: 'close' });
    }).then(() => {
      this.worker?.terminate();
      const error = new TabStoreClosedError();
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
      this.#statusChanged();
    });
    return this.#closed;
  }

  #refuse(options: TabStoreRequestOptions): Promise<never> | undefined {
    if (this.#closed !== undefined) return Promise.reject(new TabStoreClosedError());
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (options.signal?.aborted === true) return Promise.reject(options.signal.reason);
    return undefined;
  }

  #await(req: number, signal: AbortSignal | undefined): Promise<{ node: string; seq: number }> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#pending.delete(req);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(req, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
    });
  }

  #flush(): void {
    const items = this.#batch;
    this.#batch = [];
    if (items.length > 0) this.#post({ t: 'dispatch', items });
  }

  #post(message: PageToHost): void {
    this.port.postMessage(message);
  }

  #receive(message: HostToPage, ready: () => void, failed: (error: Error) => void): void {
    switch (message.t) {
      case 'applied':
        this.#replicas.applied(message.node, message.first, message.commands as C[]);
        this.#seqChanged();
        return;
      case 'node':
        this.#replicas.add(message.node);
        return;
      case 'gone':
        this.#replicas.remove(message.node);
        return;
      case 'restored':
        this.#replicas.restored(message.node, message.seq, message.state);
        this.#seqChanged();
        return;
      case 'snapshot':
        this.#answerSnapshot(message.node, message.seq, message.req);
        return;
      case 'reply':
        this.#settle(message.req, { node: message.node, seq: message.seq });
        return;
      case 'replyError':
        this.#settle(message.req, new TabStoreRequestError(message.error));
        return;
      case 'status':
        this.#hostStatus = message.status;
        this.#statusChanged();
        return;
      case 'ready':
        ready();
        return;
      case 'failed':
        this.#failed = new TabStoreRequestError(message.error);
        failed(this.#failed);
        return;
      case 'closed':
        this.#markClosed?.();
        return;
    }
  }

  #answerSnapshot(node: string, seq: number, req: number): void {
    let state: Uint8Array | undefined;
    let error: RemoteError | undefined;
    try {
      state = this.#replicas.snapshot(node, seq);
    } catch (e) {
      error = toRemoteError(e);
    }
    this.#post({ t: 'snapshot', req, state, ...(error === undefined ? {} : { error }) });
  }

  #settle(req: number, outcome: { node: string; seq: number } | Error): void {
    const waiter = this.#pending.get(req);
    this.#pending.delete(req);
    if (outcome instanceof Error) waiter?.reject(outcome);
    else waiter?.resolve(outcome);
  }

  #seqChanged(): void {
    if (this.#status !== undefined && this.#status.seq !== this.#replicas.view.seq) this.#statusChanged();
  }

  #statusChanged(): void {
    this.#status = undefined;
    if (this.#statusListeners.size === 0) return;
    const status = this.status();
    for (const listener of [...this.#statusListeners]) listener(status);
  }
}

const emptyStatus: HostStatus = {
  tab: '',
  role: 'starting',
  slots: [],
  connected: false,
  leader: '',
  leaderTab: undefined,
  term: 0,
  commit: 0,
  voters: [],
  learners: [],
  tabs: [],
  allocator: false,
  error: undefined,
};

/**
 * One live tab: claims a slot, runs that slot's node in a Worker, gossips its status to the
 * other tabs and keeps the picture of the whole cluster. Every button and every test-API
 * call goes through the methods here.
 */
import type { NodeId } from '@webraft/core';
import { ClusterModel, type Gossip } from './cluster-model.ts';
import type { LiveEvent, NodeReport, PageToWorker, StartRequest, TransportKind, WorkerToPage } from './protocol.ts';
import { bridgeTransport } from './port-transport.ts';
import { claimSlot } from './slots.ts';
import type { Todo, TodoCommand } from './todo.ts';

export interface LiveOptions {
  readonly cluster: string;
  readonly slots: readonly NodeId[];
  readonly transport: TransportKind;
  readonly relayUrl: string;
  readonly preferredSlot?: NodeId;
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

export class LiveRequestError extends Error {
  constructor(message: string, override readonly name: string, readonly leader?: NodeId) {
    super(message);
  }
}

export class LiveTab {
  slot: NodeId | undefined;
  readonly model: ClusterModel;
  todos: readonly Todo[] = [];
  appliedIndex = 0;
  report: NodeReport | undefined;
  crashed = false;
  isolated = false;
  readonly history: HistoryOp[] = [];
  readonly events: LiveEvent[] = [];
  onChange: () => void = () => {};
  #worker: Worker | undefined;
  #gossip: BroadcastChannel;
  #nextReq = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #started: Promise<void> | undefined;
  #booting: Promise<NodeId> | undefined;
  #bridge: Awaited<ReturnType<typeof bridgeTransport>> | undefined;
  #downTimer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly options: LiveOptions) {
    this.model = new ClusterModel(options.slots);
    this.#gossip = new BroadcastChannel(`${options.cluster}-gossip`);
    this.#gossip.onmessage = (e: MessageEvent<Gossip>) => {
      this.model.hear(e.data, Date.now());
      this.onChange();
    };
  }

  /** Claims a slot and starts its node; `ready()` settles with it. */
  boot(): Promise<NodeId> {
    this.#booting ??= (async () => {
      this.slot = await claimSlot(this.options.cluster, this.options.slots, this.options.preferredSlot);
      sessionStorage.setItem(`${this.options.cluster}-slot`, this.slot);
      await this.restart();
      return this.slot;
    })();
    return this.#booting;
  }

  /** Resolves once the node has loaded its log and started (the latest start, after a restart). */
  async ready(): Promise<void> {
    await this.boot();
    await this.#started;
  }

  /** Starts the node (again) from what IndexedDB holds. */
  restart(): Promise<void> {
    if (this.#worker !== undefined || this.slot === undefined) return this.#started ?? Promise.resolve();
    this.#started = this.#start(this.slot);
    return this.#started;
  }

  async #start(slot: NodeId): Promise<void> {
    clearInterval(this.#downTimer);
    this.crashed = false;
    this.isolated = false;
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `raft-${slot}` });
    this.#worker = worker;
    const started = new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
        if (e.data.type === 'ready') resolve();
        if (e.data.type === 'failed') reject(new Error(e.data.error));
        this.#fromWorker(e.data);
      };
      worker.onerror = (e) => reject(new Error(e.message));
    });
    if (this.options.transport === 'webrtc') {
      // RTCPeerConnection is main-thread only: the page holds the data channels for its worker.
      const { webRTCTransport } = await import('@webraft/transport-ws');
      this.#bridge = await bridgeTransport(webRTCTransport({ nodeId: slot, url: this.options.relayUrl, room: this.options.cluster }), worker);
    }
    const start: StartRequest = {
      type: 'start',
      id: slot,
      members: this.options.slots,
      transport: this.options.transport,
      relayUrl: this.options.relayUrl,
      cluster: this.options.cluster,
    };
    worker.postMessage(start);
    this.#log(`started node ${slot.toUpperCase()} (${this.options.transport})`);
    return started;
  }

  /** Kills the node at once, like a power cut: no goodbye, only IndexedDB survives. */
  crash(): void {
    if (this.#worker === undefined || this.slot === undefined) return;
    this.#worker.terminate();
    this.#worker = undefined;
    void this.#bridge?.close();
    this.#bridge = undefined;
    this.crashed = true;
    this.report = undefined;
    for (const p of this.#pending.values()) p.reject(new LiveRequestError('the node crashed', 'NodeCrashedError'));
    this.#pending.clear();
    const down: Gossip = { type: 'down', slot: this.slot };
    const announce = () => {
      this.#gossip.postMessage(down);
      this.model.hear(down, Date.now());
    };
    announce();
    this.#downTimer = setInterval(announce, 1000);
    this.#log(`crashed node ${this.slot.toUpperCase()}`);
    this.onChange();
  }

  isolate(on: boolean): void {
    this.isolated = on;
    this.#post({ type: 'isolate', on });
    this.onChange();
  }

  campaign(): void {
    this.#post({ type: 'campaign' });
  }

  propose(command: TodoCommand): Promise<unknown> {
    return this.#request(command, (req) => ({ type: 'propose', req, command }));
  }

  /** A linearizable read of the list (ReadIndex), answered once this node has applied up to it. */
  read(): Promise<unknown> {
    return this.#request({ op: 'read' }, (req) => ({ type: 'read', req }));
  }

  async #request(input: HistoryOp['input'], message: (req: number) => PageToWorker): Promise<unknown> {
    const call = performance.now();
    const client = this.slot ?? '?';
    try {
      if (this.#worker === undefined) throw new LiveRequestError('the node is crashed', 'NodeCrashedError');
      const req = this.#nextReq++;
      const value = await new Promise<unknown>((resolve, reject) => {
        this.#pending.set(req, { resolve, reject });
        this.#post(message(req));
      });
      this.history.push({ client, input, output: value, call, return: performance.now(), type: 'ok' });
      return value;
    } catch (error) {
      // Refused before proposing (not leader, crashed) is a definite failure; a timeout is unknown.
      const e = error as Error;
      const type = /Timeout|Crashed/.test(e.name) ? 'info' : 'fail';
      this.history.push({ client, input, output: e.message, call, return: performance.now(), type });
      throw error;
    }
  }

  #post(message: PageToWorker): void {
    this.#worker?.postMessage(message);
  }

  #fromWorker(message: WorkerToPage): void {
    switch (message.type) {
      case 'net-send':
        this.#bridge?.send(message.frame);
        return;
      case 'report': {
        this.report = message.report;
        const gossip: Gossip = { type: 'report', slot: message.report.id, report: message.report, sent: message.sent };
        this.#gossip.postMessage(gossip);
        this.model.hear(gossip, Date.now());
        break;
      }
      case 'todos':
        this.todos = message.items;
        this.appliedIndex = message.index;
        break;
      case 'event':
        this.#event(message.event);
        break;
      case 'reply': {
        const pending = this.#pending.get(message.req);
        this.#pending.delete(message.req);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(new LiveRequestError(message.error, message.name, message.leader));
        break;
      }
      case 'failed':
        this.#log(`node failed: ${message.error}`);
        break;
      case 'ready':
        this.#log(`recovered ${message.recovered.entries} entries from IndexedDB (term ${message.recovered.term}, commit ${message.recovered.commit})`);
        break;
    }
    this.onChange();
  }

  #log(text: string): void {
    this.#event({ time: Date.now(), node: this.slot ?? '?', text });
  }

  #event(event: LiveEvent): void {
    this.events.push(event);
    if (this.events.length > 500) this.events.splice(0, this.events.length - 500);
    const gossip: Gossip = { type: 'event', event };
    this.#gossip.postMessage(gossip);
    this.model.hear(gossip, Date.now());
  }
}

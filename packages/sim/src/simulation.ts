/**
 * A deterministic world of N nodes running the real core: a virtual clock, one seeded
 * random source for everything, a faulty network, crash and restart from durable state,
 * per-node clock skew, clients, and Raft's safety properties checked after every step.
 * The model knows nothing of rendering: views read `nodes()`, `packets()` and `log`, and
 * change the world only through `apply(action)`.
 */
import type { Message, NodeId } from '@webraft/core';
import type { RecordedAction, SimAction } from './actions.ts';
import { EventQueue } from './event-queue.ts';
import type { HistoryOp } from './history.ts';
import { Invariants } from './invariants.ts';
import { calmNetwork, Network, type NetworkConditions, type Packet } from './network.ts';
import { Random } from './random.ts';
import { SimNode, type ClientReply, type ClientRequest, type CoreFactory, type NodeHost } from './sim-node.ts';
import { describeMessage, type NodeRow, type TraceStep } from './trace.ts';
import { defaultWorkload, Workload, type WorkloadOptions } from './workload.ts';

export interface SimOptions {
  readonly seed: number;
  /** Builds a node's core; the fuzz runner passes the real `RawNode` or a mutant. */
  readonly createCore: CoreFactory;
  /** Number of nodes, named n1…nN. @default 3 */
  readonly nodes?: number;
  /**
   * Nodes n1…n{voters} form the initial configuration; the others start with none and wait to
   * be added by a `confChange`. @default nodes
   */
  readonly voters?: number;
  /** Virtual ms per tick before skew. @default 10 */
  readonly tickMs?: number;
  /** Each node's tick length is scaled by a factor drawn from [1 - skew, 1 + skew]. @default 0 */
  readonly clockSkew?: number;
  /** @default 15 (150–300 ms with 10 ms ticks) */
  readonly electionTicks?: number;
  /** @default 5 (50 ms) */
  readonly heartbeatTicks?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** Other core options passed through unchanged. */
  readonly raft?: {
    readonly maxSizePerMsg?: number;
    readonly maxInflightMsgs?: number;
    readonly snapshotChunkBytes?: number;
    readonly readOnly?: 'safe' | 'lease';
  };
  readonly network?: Partial<NetworkConditions>;
  /** Durability delay of a write, virtual ms. @default [0.1, 3] */
  readonly writeDelayMs?: readonly [number, number];
  /** On a crash, each unacknowledged write (in order) survives with this probability. @default 0.3 */
  readonly crashSurvivalRate?: number;
  /** Take a state-machine snapshot every this many applied entries (0: never). @default 0 */
  readonly snapshotEvery?: number;
  /** @default 5 */
  readonly keepEntries?: number;
  /** Generated clients; `clients: 0` leaves only requests made by actions. */
  readonly workload?: Partial<WorkloadOptions>;
  /** Keep the last this many steps as a trace (0: none). @default 0 */
  readonly traceSteps?: number;
  /** Keep the last this many log lines for views (0: none). @default 0 */
  readonly eventLogSize?: number;
}

/** A line of the event log a view shows. */
export interface SimLogLine {
  readonly step: number;
  readonly time: number;
  readonly text: string;
}

export interface NodeView extends NodeRow {
  readonly up: boolean;
  readonly vote: NodeId;
  readonly lead: NodeId;
  readonly applied: number;
  readonly firstIndex: number;
  readonly tickMs: number;
  readonly pendingWrites: number;
  /** Terms of the entries the node holds, from `firstIndex`. */
  readonly logTerms: readonly number[];
}

type SimEvent =
  | { readonly kind: 'tick'; readonly node: SimNode; readonly life: number }
  | { readonly kind: 'durable'; readonly node: SimNode; readonly life: number }
  | { readonly kind: 'deliver'; readonly packet: number }
  | { readonly kind: 'request'; readonly node: SimNode; readonly request: ClientRequest }
  | { readonly kind: 'reply'; readonly request: ClientRequest; readonly reply: ClientReply }
  | { readonly kind: 'client'; readonly client: string; readonly attempt: number; readonly what: 'timeout' | 'retry' | 'next' }
  | { readonly kind: 'action'; readonly action: SimAction };

export class Simulation {
  readonly random: Random;
  readonly network = new Network();
  readonly invariants: Invariants;
  readonly workload: Workload;
  /** Actions applied through `apply`, for replay. */
  readonly actions: RecordedAction[] = [];
  now = 0;
  steps = 0;
  /** Tick length before skew, virtual ms. */
  readonly baseTickMs: number;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly byId = new Map<NodeId, SimNode>();
  private readonly initialTickMs = new Map<NodeId, number>();
  private readonly list: SimNode[] = [];
  private readonly ids: NodeId[] = [];
  private readonly host: NodeHost;
  private readonly traceRing: TraceStep[] = [];
  private readonly logRing: SimLogLine[] = [];
  private stepText = '';
  private inStep = false;
  private userRequests = 0;
  private readonly options: SimOptions;

  constructor(options: SimOptions) {
    this.options = options;
    const self = this;
    this.random = new Random(options.seed);
    this.invariants = new Invariants(() => this.list);
    this.network.conditions = { ...calmNetwork, ...options.network };
    const count = options.nodes ?? 3;
    for (let i = 1; i <= count; i++) this.ids.push(`n${i}`);
    const random = (): number => this.random.next();
    const [wmin, wmax] = options.writeDelayMs ?? [0.1, 3];
    this.host = {
      get now() {
        return self.now;
      },
      send: (m) => this.send(m),
      writeDelay: () => this.random.between(wmin, wmax),
      scheduleDurable: (node, at) => this.queue.push(at, { kind: 'durable', node, life: node.incarnation }),
      reply: (node, request, reply) => this.replyToClient(node, request, reply),
      onReady: (node, rd, before) => this.invariants.afterReady(node, rd, before),
      onApply: (node, entry) => this.invariants.onApply(node, entry),
      onRestoreSnapshot: (node, snapshot, before) => this.invariants.onRestoreSnapshot(node, snapshot, before),
    };
    const skew = options.clockSkew ?? 0;
    this.baseTickMs = options.tickMs ?? 10;
    const initialVoters = this.ids.slice(0, options.voters ?? count);
    for (const id of this.ids) {
      const node = new SimNode(
        {
          id,
          voters: initialVoters.includes(id) ? initialVoters : [],
          options: {
            electionTicks: options.electionTicks ?? 15,
            heartbeatTicks: options.heartbeatTicks ?? 5,
            ...(options.preVote !== undefined ? { preVote: options.preVote } : {}),
            ...(options.checkQuorum !== undefined ? { checkQuorum: options.checkQuorum } : {}),
            ...options.raft,
          },
          random,
          createCore: options.createCore,
          snapshotEvery: options.snapshotEvery ?? 0,
          keepEntries: options.keepEntries ?? 5,
        },
        this.host,
      );
      node.tickMs = this.baseTickMs * this.random.between(1 - skew, 1 + skew);
      this.initialTickMs.set(id, node.tickMs);
      this.byId.set(id, node);
      this.list.push(node);
    }
    this.workload = new Workload({ ...defaultWorkload, clients: 0, ops: 0, ...options.workload }, {
      get now() {
        return self.now;
      },
      random: this.random,
      nodeIds: () => this.ids,
      sendRequest: (to, request) => {
        const node = this.byId.get(to) as SimNode;
        this.queue.push(this.now + this.clientDelay(), { kind: 'request', node, request });
      },
      scheduleClient: (at, client, attempt, what) => this.queue.push(at, { kind: 'client', client, attempt, what }),
    });
    for (const node of this.list) this.startNode(node);
    this.workload.start();
  }

  nodeIds(): readonly NodeId[] {
    return this.ids;
  }

  node(id: NodeId): SimNode {
    const node = this.byId.get(id);
    if (node === undefined) throw new RangeError(`no node ${id}`);
    return node;
  }

  /** Processes the next event. Throws `InvariantViolation` when a property breaks. */
  step(): boolean {
    const ev = this.queue.pop();
    if (ev === undefined) return false;
    this.now = ev.at;
    this.steps++;
    this.stepText = '';
    this.inStep = true;
    try {
      this.handle(ev.value);
    } finally {
      this.inStep = false;
    }
    if (this.options.traceSteps && this.stepText !== '') this.record();
    return true;
  }

  /** Steps until virtual time `until` (or `stop()` returns true); returns whether `stop` ended it. */
  runUntil(until: number, stop?: () => boolean): boolean {
    while ((this.queue.peekTime() ?? Infinity) <= until) {
      this.step();
      if (stop?.()) return true;
    }
    this.now = Math.max(this.now, until);
    return false;
  }

  /** Applies a user action now and records it for replay. */
  apply(action: SimAction): void {
    this.actions.push({ step: this.steps, time: this.now, action });
    this.perform(action);
  }

  /** Schedules an action (a fault) at a later virtual time; not recorded, as the seed decides it. */
  schedule(at: number, action: SimAction): void {
    this.queue.push(at, { kind: 'action', action });
  }

  /** Performs an action without recording it (the seeded fault schedule uses this). */
  perform(action: SimAction): void {
    if (this.inStep) {
      this.act(action);
      return;
    }
    // Between steps: the action gets a trace line of its own.
    this.stepText = '';
    this.act(action);
    if (this.options.traceSteps && this.stepText !== '') this.record();
  }

  private act(action: SimAction): void {
    switch (action.type) {
      case 'crash': {
        const node = this.node(action.node);
        if (!node.up) return;
        const pending = node.store.pendingCount;
        let survivors = 0;
        const rate = this.options.crashSurvivalRate ?? 0.3;
        while (survivors < pending && this.random.chance(rate)) survivors++;
        node.crash(action.survivors ?? survivors);
        this.note(`crash ${node.id} (${pending} unacknowledged writes, ${action.survivors ?? survivors} survive)`);
        return;
      }
      case 'restart': {
        const node = this.node(action.node);
        if (node.up) return;
        this.startNode(node);
        this.note(`restart ${node.id}`);
        return;
      }
      case 'partition':
        this.network.partition(action.groups, this.ids);
        this.note(`partition ${action.groups.map((g) => g.join(' ')).join(' | ')}`);
        return;
      case 'link':
        this.network.setLink(action.from, action.to, action.up);
        this.note(`link ${action.from}→${action.to} ${action.up ? 'up' : 'cut'}`);
        return;
      case 'slowLink':
        this.network.setLinkDelay(action.from, action.to, action.extraMs);
        this.note(`link ${action.from}→${action.to} +${action.extraMs.toFixed(0)} ms`);
        return;
      case 'heal':
        this.network.heal();
        this.note('heal');
        return;
      case 'network':
        this.network.conditions = { ...this.network.conditions, ...action.conditions };
        this.note(`network ${JSON.stringify(action.conditions)}`);
        return;
      case 'dropPacket':
        if (this.network.drop(action.packet)) this.note(`drop packet ${action.packet}`);
        return;
      case 'campaign': {
        const node = this.node(action.node);
        node.core?.campaign();
        this.note(`campaign ${node.id}`);
        node.drive();
        return;
      }
      case 'transfer': {
        const node = this.node(action.node);
        node.core?.transferLeadership(action.to);
        this.note(`transfer ${node.id} → ${action.to}`);
        node.drive();
        return;
      }
      case 'snapshot':
        this.node(action.node).snapshotNow();
        this.note(`snapshot ${action.node}`);
        return;
      case 'confChange': {
        const node = this.node(action.node);
        const outcome = node.core?.proposeConfChange(action.change);
        const what = action.change.changes.map((c) => `${c.type} ${c.id}`).join(', ') || 'leave joint';
        this.note(`conf change via ${node.id}: ${what}${outcome && !outcome.ok ? ` refused (${outcome.reason})` : ''}`);
        node.drive();
        return;
      }
      case 'clock':
        this.node(action.node).tickMs = action.tickMs;
        return;
      case 'request': {
        // Each request without a named client gets a client of its own, so requests may overlap.
        const client = action.client ?? `user${++this.userRequests}`;
        this.workload.submit(action.input, client, action.read ?? 'log');
        return;
      }
    }
  }

  /** The up node that leads the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.list) {
      if (n.up && n.role === 'leader' && (best === undefined || n.hardState.term > best.hardState.term)) best = n;
    }
    return best;
  }

  /** The client history so far. */
  history(): readonly HistoryOp[] {
    return this.workload.history;
  }

  nodes(): NodeView[] {
    return this.list.map((n) => {
      const view = n.store.view;
      return {
        ...rowOf(n),
        up: n.up,
        vote: n.hardState.vote,
        lead: n.lead,
        applied: n.applied,
        firstIndex: view.offset + 1,
        tickMs: n.tickMs,
        pendingWrites: n.store.pendingCount,
        logTerms: view.entries.map((e) => e.term),
      };
    });
  }

  /** Messages on the wire, each with its send and arrival times. */
  packets(): Packet[] {
    return this.network.packets();
  }

  /** The last `traceSteps` steps that did something other than a quiet tick. */
  trace(): readonly TraceStep[] {
    return this.traceRing;
  }

  log(): readonly SimLogLine[] {
    return this.logRing;
  }

  /** Heals the network, calms it, restores clock rates and restarts every stopped node. */
  calm(): void {
    this.perform({ type: 'heal' });
    this.perform({ type: 'network', conditions: calmNetwork });
    for (const node of this.list) {
      node.tickMs = this.initialTickMs.get(node.id) as number;
      if (!node.up) this.perform({ type: 'restart', node: node.id });
    }
  }

  private startNode(node: SimNode): void {
    node.start();
    this.invariants.onRestart(node, node.store.durable.hardState.commit);
    const life = node.incarnation;
    this.queue.push(this.now + node.tickMs * this.random.next(), { kind: 'tick', node, life });
    node.drive();
  }

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'tick': {
        const node = ev.node;
        if (node.incarnation !== ev.life || !node.up) return;
        const before = this.options.traceSteps ? rowKey(node) : '';
        node.tick();
        if (this.options.traceSteps && rowKey(node) !== before) this.note(`tick ${node.id}`);
        this.queue.push(this.now + node.tickMs, ev);
        return;
      }
      case 'durable':
        if (ev.node.incarnation === ev.life) ev.node.durable();
        return;
      case 'deliver': {
        const packet = this.network.arrive(ev.packet);
        if (packet === undefined) return;
        const node = this.byId.get(packet.to);
        if (node === undefined || !node.up) return;
        if (this.options.traceSteps || this.options.eventLogSize) this.note(`deliver ${describeMessage(packet.message)}`);
        node.receive(packet.message);
        return;
      }
      case 'request':
        if (!ev.node.up) return;
        if (this.options.traceSteps || this.options.eventLogSize) {
          this.note(`client ${ev.request.client} → ${ev.node.id}: ${describeInput(ev.request)}`);
        }
        ev.node.serve(ev.request);
        return;
      case 'reply':
        this.workload.onReply(ev.request, ev.reply);
        return;
      case 'client':
        this.workload.onEvent(ev.client, ev.attempt, ev.what);
        return;
      case 'action':
        this.perform(ev.action);
        return;
    }
  }

  private send(message: Message): void {
    for (const p of this.network.send(message.from, message.to, message, this.now, this.random)) {
      this.queue.push(p.deliverAt, { kind: 'deliver', packet: p.id });
    }
  }

  private replyToClient(node: SimNode, request: ClientRequest, reply: ClientReply): void {
    this.queue.push(this.now + this.clientDelay(), { kind: 'reply', request, reply });
    if (this.options.traceSteps || this.options.eventLogSize) {
      const what = reply.kind === 'refused' ? `refused (${reply.reason})` : JSON.stringify(reply.result);
      this.note(`${node.id} → client ${request.client}: ${request.command.id} ${what}`);
    }
  }

  private clientDelay(): number {
    const c = this.network.conditions;
    return this.random.between(c.minDelayMs, c.maxDelayMs);
  }

  private note(text: string): void {
    if (!this.options.traceSteps && !this.options.eventLogSize) return;
    this.stepText = this.stepText === '' ? text : `${this.stepText}; ${text}`;
    const size = this.options.eventLogSize ?? 0;
    if (size > 0) {
      this.logRing.push({ step: this.steps, time: this.now, text });
      if (this.logRing.length > size) this.logRing.shift();
    }
  }

  private record(): void {
    this.traceRing.push({ step: this.steps, time: this.now, what: this.stepText, nodes: this.list.map(rowOf) });
    if (this.traceRing.length > (this.options.traceSteps ?? 0)) this.traceRing.shift();
  }
}

function rowOf(n: SimNode): NodeRow {
  return {
    id: n.id,
    role: n.up ? n.role : 'down',
    term: n.hardState.term,
    commit: n.hardState.commit,
    lastIndex: n.store.view.lastIndex,
  };
}

function rowKey(n: SimNode): string {
  return `${n.role}/${n.hardState.term}/${n.hardState.commit}/${n.store.view.lastIndex}`;
}

function describeInput(request: ClientRequest): string {
  const i = request.command.input;
  const args = i.op === 'get' ? `${i.key} (${request.read})` : i.op === 'put' ? `${i.key}=${i.value}` : `${i.key} ${i.expected}→${i.value}`;
  return `${request.command.id} ${i.op} ${args}`;
}

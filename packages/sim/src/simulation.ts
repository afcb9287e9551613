/**
 * A deterministic world of N servers, each a real `RaftNode` with the world's clock, network
 * and disk injected: a virtual clock, one seeded random source for everything, a faulty
 * network, faulty disks, crash and restart from durable state, per-node clock skew, clients,
 * and Raft's safety properties checked after every step. The model knows nothing of
 * rendering: views read `nodes()`, `packets()` and `log()`, and change the world only through
 * `apply(action)`.
 *
 * Stepping is asynchronous because the nodes are: one step handles one event (a timer, a
 * delivery, a write becoming durable, a client request...) and then lets every Promise the
 * nodes chained on it settle before the next event. Nothing outside the world's queue moves
 * the nodes, so the same seed always gives the same run.
 */
import type { Message, NodeId } from '@webraft/core';
import type { RecordedAction, SimAction } from './actions.ts';
import { EventQueue } from './event-queue.ts';
import type { HistoryOp } from './history.ts';
import { Invariants, InvariantViolation } from './invariants.ts';
import { calmNetwork, Network, type NetworkConditions, type Packet } from './network.ts';
import { performAction } from './perform.ts';
import { Random } from './random.ts';
import type { StateMachineFactory } from './machine.ts';
import { SimNode, type ClientReply, type ClientRequest, type CoreFactory, type NodeHost, type NodeKnobs, type SessionReply } from './sim-node.ts';
import type { DiskSpeed, SimLogStore } from './store.ts';
import { defaultSettle } from './settle.ts';
import { describeError, describeInput, describeMessage, type NodeRow, type TraceStep } from './trace.ts';
import { defaultWorkload, Workload, type ClientEvent, type WorkloadHost, type WorkloadOptions } from './workload.ts';

export interface SimOptions {
  readonly seed: number;
  /** Builds a node's pure core; the fuzz runner passes the real `RawNode`. */
  readonly createCore: CoreFactory;
  /** Number of nodes, named n1…nN. @default 3 */
  readonly nodes?: number;
  /**
   * Nodes n1…n{voters} found the cluster (created with `members`); the others start as
   * nodes of no cluster, waiting to join or to be added. @default nodes
   */
  readonly voters?: number;
  /** Virtual ms per tick before skew. @default 10 */
  readonly tickMs?: number;
  /** Each node's clock runs at a rate drawn from [1 - skew, 1 + skew]. @default 0 */
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
  /** Commands per log entry (RaftNode's batching). @default 1 */
  readonly maxBatchCommands?: number;
  readonly network?: Partial<NetworkConditions>;
  /** Durability delay of a write on a fast disk, virtual ms. @default [0.1, 3] */
  readonly writeDelayMs?: readonly [number, number];
  /** Durability delay on a slow disk. @default [5, 40] */
  readonly slowWriteDelayMs?: readonly [number, number];
  /** The speed every disk starts with. @default 'fast' */
  readonly diskSpeed?: DiskSpeed;
  /** On a crash, each unacknowledged write (in order) survives with this probability. @default 0.3 */
  readonly crashSurvivalRate?: number;
  /** Take a state-machine snapshot every this many applied entries (0: never). @default 0 */
  readonly snapshotEvery?: number;
  /** @default 5 */
  readonly keepEntries?: number;
  /** Generated clients; `clients: 0` leaves only requests made by actions. */
  readonly workload?: Partial<WorkloadOptions>;
  /** Every node's state machine. @default the key-value store the clients use */
  readonly stateMachine?: StateMachineFactory;
  /** Keep the last this many steps as a trace (0: none). @default 0 */
  readonly traceSteps?: number;
  /** Keep the last this many log lines for views (0: none). @default 0 */
  readonly eventLogSize?: number;
  /** Lets the Promises a step started settle. @default a macrotask hop (setImmediate, else a MessageChannel) */
  readonly settle?: () => Promise<void>;
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
  | { readonly kind: 'timer'; readonly handle: number; readonly fire: () => void }
  | { readonly kind: 'durable'; readonly store: SimLogStore }
  | { readonly kind: 'deliver'; readonly packet: number }
  | { readonly kind: 'request'; readonly node: SimNode; readonly request: ClientRequest }
  | { readonly kind: 'openSession'; readonly node: SimNode; readonly client: string; readonly timeoutMs: number }
  | { readonly kind: 'reply'; readonly request: ClientRequest; readonly reply: ClientReply }
  | { readonly kind: 'sessionReply'; readonly client: string; readonly reply: SessionReply }
  | { readonly kind: 'client'; readonly client: string; readonly attempt: number; readonly what: ClientEvent }
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
  readonly options: SimOptions;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly byId = new Map<NodeId, SimNode>();
  private readonly initialRate = new Map<NodeId, number>();
  private readonly list: SimNode[] = [];
  private readonly ids: NodeId[] = [];
  private readonly traceRing: TraceStep[] = [];
  private readonly logRing: SimLogLine[] = [];
  private readonly cancelled = new Set<number>();
  private nextTimer = 1;
  private stepText = '';
  private inStep = false;
  private userRequests = 0;
  /** The first broken property, kept until the step ends (checks never throw into a node). */
  private violation: InvariantViolation | undefined;
  private readonly settle: () => Promise<void>;

  constructor(options: SimOptions) {
    this.options = options;
    this.random = new Random(options.seed);
    this.settle = options.settle ?? defaultSettle();
    this.invariants = new Invariants(() => this.list);
    this.network.conditions = { ...calmNetwork, ...options.network };
    const count = options.nodes ?? 3;
    for (let i = 1; i <= count; i++) this.ids.push(`n${i}`);
    const random = (): number => this.random.next();
    this.baseTickMs = options.tickMs ?? 10;
    const founders = this.ids.slice(0, options.voters ?? count);
    const knobs: NodeKnobs = {
      electionTicks: options.electionTicks ?? 15,
      heartbeatTicks: options.heartbeatTicks ?? 5,
      ...(options.preVote !== undefined ? { preVote: options.preVote } : {}),
      ...(options.checkQuorum !== undefined ? { checkQuorum: options.checkQuorum } : {}),
      ...options.raft,
      maxBatchCommands: options.maxBatchCommands ?? 1,
      snapshotEvery: options.snapshotEvery ?? 0,
      snapshotKeepEntries: options.keepEntries ?? 5,
    };
    const host = this.nodeHost();
    const skew = options.clockSkew ?? 0;
    for (const id of this.ids) {
      const node = new SimNode(
        {
          id,
          members: founders.includes(id) ? founders : undefined,
          knobs,
          tickMs: this.baseTickMs,
          random,
          createCore: options.createCore,
          ...(options.stateMachine !== undefined ? { createStateMachine: options.stateMachine } : {}),
        },
        host,
      );
      node.rate = this.random.between(1 - skew, 1 + skew);
      node.store.speed = options.diskSpeed ?? 'fast';
      this.initialRate.set(id, node.rate);
      this.byId.set(id, node);
      this.list.push(node);
    }
    this.workload = new Workload({ ...defaultWorkload, clients: 0, ops: 0, ...options.workload }, this.workloadHost());
    for (const node of this.list) node.start();
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

  /** Lets the nodes finish starting; call once after construction. */
  async ready(): Promise<void> {
    await this.settle();
    this.raise();
  }

  /** Processes the next event. Throws `InvariantViolation` when a property breaks. */
  async step(): Promise<boolean> {
    const ev = this.queue.pop();
    if (ev === undefined) return false;
    this.now = ev.at;
    this.steps++;
    this.stepText = '';
    this.inStep = true;
    try {
      this.handle(ev.value);
      await this.settle();
    } finally {
      this.inStep = false;
    }
    if (this.options.traceSteps && this.stepText !== '') this.record();
    this.raise();
    return true;
  }

  /** Steps until virtual time `until` (or `stop()` returns true); returns whether `stop` ended it. */
  async runUntil(until: number, stop?: () => boolean): Promise<boolean> {
    while ((this.queue.peekTime() ?? Infinity) <= until) {
      await this.step();
      if (stop?.()) return true;
    }
    this.now = Math.max(this.now, until);
    return false;
  }

  /** Applies a user action now and records it for replay. */
  async apply(action: SimAction): Promise<void> {
    this.actions.push({ step: this.steps, time: this.now, action });
    await this.perform(action);
  }

  /** Schedules an action (a fault) at a later virtual time; not recorded, as the seed decides it. */
  schedule(at: number, action: SimAction): void {
    this.queue.push(at, { kind: 'action', action });
  }

  /** Performs an action without recording it (the seeded fault schedule uses this). */
  async perform(action: SimAction): Promise<void> {
    if (this.inStep) {
      this.act(action);
      return;
    }
    // Between steps: the action gets a trace line of its own.
    this.stepText = '';
    this.act(action);
    await this.settle();
    if (this.options.traceSteps && this.stepText !== '') this.record();
    this.raise();
  }

  private act(action: SimAction): void {
    performAction(this, action, {
      note: (text) => this.note(text),
      request: (action) => this.workload.submit(action.input, { ...action, client: action.client ?? `user${++this.userRequests}` }),
      setRate: (node, tickMs) => node.setRate(tickMs / this.baseTickMs),
    });
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
      const log = n.log;
      return {
        ...rowOf(n),
        up: n.up,
        vote: n.hardState.vote,
        lead: n.lead,
        applied: n.raft?.status().applied ?? 0,
        firstIndex: log.offset + 1,
        tickMs: this.baseTickMs * n.rate,
        pendingWrites: n.store.pendingCount,
        logTerms: log.entries.map((e) => e.term),
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

  /** Heals the network, calms it and the disks, restores clock rates and restarts every stopped node. */
  async calm(): Promise<void> {
    await this.perform({ type: 'heal' });
    await this.perform({ type: 'network', conditions: calmNetwork });
    for (const node of this.list) {
      node.setRate(this.initialRate.get(node.id) as number);
      node.store.speed = 'fast';
      node.store.failWrites = 0;
      if (!node.up && node.state === 'down' && !node.left) await this.perform({ type: 'restart', node: node.id });
    }
  }

  private raise(): void {
    const violation = this.violation;
    if (violation !== undefined) throw violation;
  }

  /** Runs an invariant check without letting it throw into a node's code. */
  private check(run: () => void): void {
    if (this.violation !== undefined) return;
    try {
      run();
    } catch (error) {
      if (!(error instanceof InvariantViolation)) throw error;
      this.violation = error;
    }
  }

  private nodeHost(): NodeHost {
    const self = this;
    const [wmin, wmax] = this.options.writeDelayMs ?? [0.1, 3];
    const [smin, smax] = this.options.slowWriteDelayMs ?? [5, 40];
    const invariants = this.invariants;
    return {
      get now() {
        return self.now;
      },
      schedule: (at, fire) => {
        const handle = this.nextTimer++;
        this.queue.push(at, { kind: 'timer', handle, fire });
        return handle;
      },
      cancel: (handle) => void this.cancelled.add(handle),
      writeDelay: (speed) =>
        speed === 'fast' ? this.random.between(wmin, wmax) : speed === 'slow' ? this.random.between(smin, smax) : this.random.between(200, 800),
      scheduleDurable: (store, at) => this.queue.push(at, { kind: 'durable', store }),
      send: (message) => this.send(message),
      reply: (node, request, reply) => this.replyToClient(node, request, reply),
      sessionReply: (node, client, reply) => {
        this.queue.push(this.now + this.clientDelay(), { kind: 'sessionReply', client, reply });
        this.note(`${node.id} → client ${client}: session ${reply.kind === 'session' ? reply.clientId : reply.reason}`);
      },
      failed: (node, error) => {
        this.note(`${node.id} stopped: ${error.message}`);
        const injected = error.name === 'StorageError' && (error.cause as Error | undefined)?.name === 'LogQuotaError';
        if (!injected) this.check(() => { throw new InvariantViolation('Node Failure', `${node.id} stopped by itself: ${describeError(error)}`); });
        this.schedule(this.now + this.random.between(20, 400), { type: 'restart', node: node.id });
      },
      observer: {
        afterReady: (node, ready, before) => this.check(() => invariants.afterReady(node, ready, before)),
        onApply: (node, index, command, duplicate) => this.check(() => invariants.onApply(node, index, command, duplicate)),
        onRestore: (node, before, after) => this.check(() => invariants.onRestore(node, before, after)),
        onRestart: (node, commit) => this.check(() => invariants.onRestart(node, commit)),
        onReadRequested: (node, context) => invariants.onReadRequested(node, context),
      },
    };
  }

  private workloadHost(): WorkloadHost {
    const self = this;
    return {
      get now() {
        return self.now;
      },
      random: this.random,
      nodeIds: () => this.ids,
      sendRequest: (to, request) => {
        const node = this.byId.get(to) as SimNode;
        this.queue.push(this.now + this.clientDelay(), { kind: 'request', node, request });
      },
      openSession: (to, client, timeoutMs) => {
        const node = this.byId.get(to) as SimNode;
        this.queue.push(this.now + this.clientDelay(), { kind: 'openSession', node, client, timeoutMs });
      },
      scheduleClient: (at, client, attempt, what) => this.queue.push(at, { kind: 'client', client, attempt, what }),
      definitelyFailed: (opId) => this.check(() => this.invariants.definitelyFailed(opId)),
    };
  }

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'timer':
        if (this.cancelled.delete(ev.handle)) return;
        ev.fire();
        return;
      case 'durable':
        ev.store.flush(this.now);
        return;
      case 'deliver': {
        const packet = this.network.arrive(ev.packet);
        if (packet === undefined) return;
        const node = this.byId.get(packet.to);
        if (node === undefined || !node.up) return;
        if (this.options.traceSteps || this.options.eventLogSize) this.note(`deliver ${describeMessage(packet.message)}`);
        node.deliver(packet.message);
        return;
      }
      case 'request':
        if (!ev.node.up) return;
        if (this.options.traceSteps || this.options.eventLogSize) {
          this.note(`client ${ev.request.client} → ${ev.node.id}: ${describeInput(ev.request)}`);
        }
        ev.node.serve(ev.request);
        return;
      case 'openSession':
        ev.node.openSession(ev.client, ev.timeoutMs);
        return;
      case 'reply':
        this.workload.onReply(ev.request, ev.reply);
        return;
      case 'sessionReply':
        this.workload.onSessionReply(ev.client, ev.reply);
        return;
      case 'client':
        this.workload.onEvent(ev.client, ev.attempt, ev.what);
        return;
      case 'action':
        this.act(ev.action);
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
      const what = reply.kind === 'result' ? JSON.stringify(reply.result) : `${reply.kind} (${reply.reason})`;
      this.note(`${node.id} → client ${request.client}: ${request.command.id} ${what}`);
    }
  }

  private clientDelay(): number {
    const c = this.network.conditions;
    return this.random.between(c.minDelayMs, c.maxDelayMs);
  }

  /** Adds `text` to the current step's trace line and to the event log (when either is kept). */
  note(text: string): void {
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
    lastIndex: n.log.lastIndex,
  };
}

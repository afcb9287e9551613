/**
 * One simulated server: the real `RaftNode` — its ready loop, proposals, forwarding, batching,
 * sessions, reads, snapshots and membership requests — with the simulation's clock, network
 * and disk injected, and the key-value state machine (or an application's, see
 * `StateMachineFactory`). The simulator observes the node only
 * through seams: a wrapper around its core (every Ready), its state machine (every apply) and
 * its disk. A crash abandons the node as it is (its clock, transport and store handles go
 * dead, so nothing of that life happens any more); a restart builds a new `RaftNode` on what
 * the disk kept.
 */
import {
  NotLeaderError,
  ProposalDroppedError,
  ProposalRefusedError,
  RaftNode,
  SessionExpiredError,
  type ConfState,
  type HardState,
  type Message,
  type NodeId,
  type RaftCore,
  type RaftNodeOptions,
  type RaftOptions,
  type RaftRestore,
  type Ready,
  type Role,
  type Snapshot,
} from '@webraft/core';
import { CoreTap, type CoreObserver } from './core-tap.ts';
import { KvStore, type KvCommand, type KvResult } from './kv.ts';
import type { AppliedObserver, SimCommand, SimStateMachine, StateMachineFactory } from './machine.ts';
import { NodeClock, type TimerHost } from './node-clock.ts';
import { SimTransport } from './sim-transport.ts';
import { LogImage, SimLogStore, type DiskHost } from './store.ts';

export type CoreFactory = (options: RaftOptions, restore: RaftRestore) => RaftCore;

/** The RaftNode options a simulation varies (everything else is the simulation's own). */
export type NodeKnobs = Pick<
  RaftNodeOptions<SimStateMachine>,
  | 'electionTicks'
  | 'heartbeatTicks'
  | 'preVote'
  | 'checkQuorum'
  | 'readOnly'
  | 'maxSizePerMsg'
  | 'maxInflightMsgs'
  | 'snapshotChunkBytes'
  | 'maxBatchCommands'
  | 'snapshotEvery'
  | 'snapshotKeepEntries'
>;

export interface ClientRequest {
  readonly client: string;
  readonly attempt: number;
  readonly command: KvCommand;
  /** How a `get` is served: through the log, or by a ReadIndex round (`read`). */
  readonly read: 'log' | 'readIndex';
  /** A request of an exactly-once session: retries carry the same `seq`. */
  readonly session?: { readonly clientId: string; readonly seq: number };
  readonly timeoutMs: number;
}

export type ClientReply =
  | { readonly kind: 'result'; readonly result: KvResult }
  /** Definitely not applied: retry anywhere. */
  | { readonly kind: 'refused'; readonly reason: string; readonly leader: NodeId }
  /** May still take effect (a timeout, the node stopped...). */
  | { readonly kind: 'unknown'; readonly reason: string };

export type SessionReply = { readonly kind: 'session'; readonly clientId: string } | Exclude<ClientReply, { kind: 'result' }>;

/** What a node shows before a Ready, for the invariants' before/after checks. */
export interface NodeBefore {
  readonly hardState: HardState;
  readonly role: Role;
  readonly lastIndex: number;
}

/** What the simulation watches. */
export interface NodeObserver {
  afterReady(node: SimNode, ready: Ready, before: NodeBefore): void;
  onApply(node: SimNode, index: number, command: SimCommand, duplicate: boolean): void;
  onRestore(node: SimNode, before: ReadonlySet<string>, after: ReadonlySet<string>): void;
  onRestart(node: SimNode, durableCommit: number): void;
  onReadRequested(node: SimNode, context: Uint8Array): void;
}

export interface NodeHost extends TimerHost, DiskHost {
  send(message: Message): void;
  reply(node: SimNode, request: ClientRequest, reply: ClientReply): void;
  sessionReply(node: SimNode, client: string, reply: SessionReply): void;
  /** The node stopped by itself (a failed write): it is down until restarted. */
  failed(node: SimNode, error: Error): void;
  readonly observer: NodeObserver;
}

export interface SimNodeConfig {
  readonly id: NodeId;
  /** The founders, when this node is one; undefined for a node that joins later. */
  readonly members: readonly NodeId[] | undefined;
  readonly knobs: NodeKnobs;
  /** Virtual ms per tick, as the node counts them. */
  readonly tickMs: number;
  readonly random: () => number;
  readonly createCore: CoreFactory;
  /** @default the key-value store */
  readonly createStateMachine?: StateMachineFactory;
}

export type NodeState = 'down' | 'starting' | 'up';

export class SimNode {
  readonly id: NodeId;
  readonly store: SimLogStore;
  state: NodeState = 'down';
  raft: RaftNode<SimStateMachine> | undefined;
  /** The state machine of this life, once the node is created (undefined while down). */
  stateMachine: SimStateMachine | undefined;
  /** Bumped at every start and crash: callbacks of an earlier life are ignored. */
  incarnation = 0;
  /** World ms per local ms (clock skew and clock-rate faults). */
  rate = 1;

  /** The node's log as its core handed it out (written, durable or not). */
  log = new LogImage();
  hardState: HardState = { term: 0, vote: '', commit: 0 };
  role: Role = 'follower';
  lead: NodeId = '';
  conf: ConfState = { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  /** The configuration before the latest change (the invariants accept decisions taken under either). */
  previousConf: ConfState | undefined;
  /** Index of the last command the state machine applied in this life. */
  lastApplied = 0;
  /** Set once a `leave` finished: the node stays down. */
  left = false;

  private clock: NodeClock | undefined;
  private transport: SimTransport | undefined;

  constructor(
    private readonly config: SimNodeConfig,
    private readonly host: NodeHost,
  ) {
    this.id = config.id;
    this.store = new SimLogStore(host);
  }

  get up(): boolean {
    return this.state === 'up';
  }

  /** Whether this node founds the cluster (it was created with `members`). */
  get founder(): boolean {
    return this.config.members !== undefined;
  }

  /** Starts (or restarts) the node from what its disk kept; completes within the step's microtasks. */
  start(): void {
    if (this.state !== 'down' || this.left) return;
    this.state = 'starting';
    const life = ++this.incarnation;
    this.clock = new NodeClock(this.host, this.rate);
    this.transport = new SimTransport(this.id, (message) => this.host.send(message));
    this.log = this.store.durable.clone();
    this.hardState = this.log.hardState;
    this.role = 'follower';
    this.lead = '';
    this.lastApplied = 0;
    const createStateMachine = this.config.createStateMachine ?? ((observer, node) => new KvStore(observer, node));
    const stateMachine = createStateMachine(this.appliedObserver(life), this.id);
    const observer = this.coreObserver(life);
    const createCore = this.config.createCore;
    const options: RaftNodeOptions<SimStateMachine> = {
      ...this.config.knobs,
      id: this.id,
      ...(this.config.members !== undefined ? { members: this.config.members } : {}),
      stateMachine,
      log: this.store.open(),
      transport: this.transport,
      clock: this.clock,
      random: this.config.random,
      tickMs: this.config.tickMs,
      createCore: (o, r) => new CoreTap(createCore(o, r), observer),
    };
    RaftNode.create(options)
      .then(async (raft) => {
        if (life !== this.incarnation) return;
        this.raft = raft;
        this.stateMachine = stateMachine;
        this.previousConf = undefined;
        this.conf = raft.members();
        this.host.observer.onRestart(this, this.store.durable.hardState.commit);
        raft.on('error', ({ error, fatal }) => {
          if (fatal && life === this.incarnation) this.fail(error);
        });
        await raft.start();
        if (life === this.incarnation && this.state === 'starting') this.state = 'up';
      })
      .catch((error: unknown) => {
        if (life === this.incarnation) this.fail(error instanceof Error ? error : new Error(String(error)));
      });
  }

  /** Loses all volatile state and every write not yet durable (but `survivors` of them). */
  crash(survivors: number): void {
    if (this.state === 'down') return;
    this.abandon();
    this.store.crash(survivors);
  }

  /** The node left the cluster (its `leave` resolved, which stopped it): it stays down. */
  markLeft(): void {
    this.left = true;
    this.abandon();
  }

  /** The node's disk comes back empty (with the node down). */
  wipe(): void {
    this.store.wipe();
  }

  private fail(error: Error): void {
    this.abandon();
    this.store.crash(0);
    this.host.failed(this, error);
  }

  private abandon(): void {
    this.incarnation++;
    this.state = 'down';
    this.clock?.stop();
    void this.transport?.close();
    this.raft = undefined;
    this.stateMachine = undefined;
    this.role = 'follower';
    this.lead = '';
  }

  /** A message from the network. */
  deliver(message: Message): void {
    this.transport?.deliver(message);
  }

  /** Changes the node's clock rate (world ms per local ms). */
  setRate(rate: number): void {
    this.rate = rate;
    this.clock?.setRate(rate);
  }

  /** A client request arrived at this node. Requests to a node that is down are lost. */
  serve(request: ClientRequest): void {
    const raft = this.raft;
    if (raft === undefined || !this.up) return;
    const life = this.incarnation;
    const { input } = request.command;
    const timeoutMs = request.timeoutMs;
    const outcome: Promise<KvResult> =
      input.op === 'get' && request.read === 'readIndex'
        ? raft.read((machine) => ({ applied: true, value: kvOf(machine).get(input.key) }), { timeoutMs })
        : // The key-value store's apply answers every command with a KvResult.
          (raft.propose(request.command, { timeoutMs, ...(request.session !== undefined ? { session: request.session } : {}) }) as Promise<KvResult>);
    outcome.then(
      (result) => {
        if (life === this.incarnation) this.host.reply(this, request, { kind: 'result', result });
      },
      (error: unknown) => {
        if (life === this.incarnation) this.host.reply(this, request, classify(error));
      },
    );
  }

  /** Opens an exactly-once client session through this node. */
  openSession(client: string, timeoutMs: number): void {
    const raft = this.raft;
    if (raft === undefined || !this.up) return;
    const life = this.incarnation;
    raft.openSession({ timeoutMs }).then(
      (session) => {
        if (life === this.incarnation) this.host.sessionReply(this, client, { kind: 'session', clientId: session.clientId });
      },
      (error: unknown) => {
        if (life === this.incarnation) this.host.sessionReply(this, client, classify(error));
      },
    );
  }

  private coreObserver(life: number): CoreObserver {
    return {
      ready: (ready, core) => {
        if (life !== this.incarnation) return;
        const before: NodeBefore = { hardState: this.hardState, role: this.role, lastIndex: this.log.lastIndex };
        if (ready.softState !== undefined) {
          this.role = ready.softState.role;
          this.lead = ready.softState.lead;
        }
        if (ready.hardState !== undefined) this.hardState = ready.hardState;
        this.log.apply({
          ...(ready.snapshot !== undefined ? { installSnapshot: ready.snapshot } : {}),
          entries: ready.entries,
          ...(ready.hardState !== undefined ? { hardState: ready.hardState } : {}),
        });
        if (ready.snapshot !== undefined) this.setConf(core.status().conf);
        this.host.observer.afterReady(this, ready, before);
      },
      readRequested: (context) => {
        if (life === this.incarnation) this.host.observer.onReadRequested(this, context);
      },
      compacted: (snapshot: Snapshot, keepEntries: number) => {
        if (life !== this.incarnation) return;
        this.log.apply({ saveSnapshot: snapshot, compactTo: Math.max(0, snapshot.meta.index - keepEntries) });
      },
      applied: (_index, core) => {
        if (life === this.incarnation) this.setConf(core.status().conf);
      },
    };
  }

  private setConf(conf: ConfState): void {
    if (conf === this.conf) return;
    this.previousConf = this.conf;
    this.conf = conf;
  }

  private appliedObserver(life: number): AppliedObserver {
    return {
      applied: (index, command, duplicate) => {
        if (life !== this.incarnation) return;
        this.host.observer.onApply(this, index, command, duplicate);
        this.lastApplied = index;
      },
      restored: (before, after) => {
        if (life === this.incarnation) this.host.observer.onRestore(this, before, after);
      },
    };
  }
}

/** The key-value store a client request is served from (requests come from the key-value clients only). */
function kvOf(machine: SimStateMachine): KvStore {
  if (!(machine instanceof KvStore)) throw new TypeError('key-value requests need the key-value state machine');
  return machine;
}

/** A RaftNode error as a client sees it: definitely not applied, or outcome unknown. */
export function classify(error: unknown): Exclude<ClientReply, { kind: 'result' }> {
  if (error instanceof NotLeaderError) return { kind: 'refused', reason: error.reason, leader: error.leader };
  if (error instanceof ProposalRefusedError) return { kind: 'refused', reason: error.reason, leader: '' };
  if (error instanceof ProposalDroppedError) return { kind: 'refused', reason: 'dropped', leader: '' };
  if (error instanceof SessionExpiredError) return { kind: 'refused', reason: 'sessionExpired', leader: '' };
  return { kind: 'unknown', reason: error instanceof Error ? error.name : String(error) };
}

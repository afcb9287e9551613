/**
 * RaftNode: the async driver around the pure core, and the API users call. It is the only
 * place with timers, Promises and I/O: the ready loop (ready-loop.ts) ticks the core with the
 * injected clock, persists through the LogStore, sends through the Transport and applies to
 * the StateMachine (applier.ts), which settles callers' Promises with what their commands
 * returned. Requests (requests.ts), transport input (inbox.ts), membership (members.ts) and
 * start-up (boot.ts) each have their own module.
 */
import type { ConfChange, ConfState, NodeId, Role } from '../raft/types.ts';
import { storeOf } from '../raft/confchange.ts';
import type { StoredState } from '../storage/log-store.ts';
import { Applier } from './applier.ts';
import { boot, initialImage, loadError } from './boot.ts';
import { validateOptions } from './check-options.ts';
import { ClientSession } from './client-session.ts';
import { systemClock } from './clock.ts';
import { jsonCodec } from './codecs.ts';
import { Emitter } from './emitter.ts';
import { EnvelopeCodec } from './envelope.ts';
import { ForwardedProposals } from './forwarded.ts';
import { Inbox } from './inbox.ts';
import type { JoinOptions } from './join.ts';
import { ConfWatch, LeaderWatch } from './leader-watch.ts';
import { Members } from './members.ts';
import type { AnyStateMachine, CommandOf, ProposeOptions, RaftNodeEvents, RaftNodeMetrics, RaftNodeOptions, RaftNodeStatus, RequestOptions, ResultOf } from './options.ts';
import { Proposals } from './proposals.ts';
import { Reads } from './reads.ts';
import { ReadyLoop } from './ready-loop.ts';
import { Requests } from './requests.ts';
import { SessionTable } from './sessions.ts';
import type { CommandCodec } from './state-machine.ts';

const emptyConf: ConfState = Object.freeze({ voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });

export class RaftNode<SM extends AnyStateMachine = AnyStateMachine> {
  readonly id: NodeId;
  readonly stateMachine: SM;
  readonly #events = new Emitter<RaftNodeEvents<CommandOf<SM>, ResultOf<SM>>>();
  readonly #metrics: RaftNodeMetrics = {
    messagesSent: 0,
    messagesReceived: 0,
    rejected: {},
    proposals: 0,
    proposalsRefused: 0,
    applies: 0,
    duplicates: 0,
    duplicateProposals: 0,
    reads: 0,
    writes: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
  };
  readonly #proposals = new Proposals();
  readonly #reads: Reads;
  readonly #loop: ReadyLoop;
  readonly #applier: Applier;
  readonly #requests: Requests<SM>;
  readonly #members: Members;
  readonly #inbox: Inbox;
  readonly #sessions: SessionTable;

  /**
   * Loads the log store, restores the state machine from its snapshot, and builds the core.
   * Bootstraps `members` as the voters only when the store is empty. Call `start()` next.
   * @throws the store's own typed error as it is (StoreLockedError, LogStoreClosedError...);
   *   StorageError wrapping any other failure to read it; InvalidArgumentError on bad options.
   */
  static async create<SM extends AnyStateMachine>(options: RaftNodeOptions<SM>): Promise<RaftNode<SM>> {
    validateOptions(options);
    let stored: StoredState;
    try {
      stored = await options.log.load();
    } catch (error) {
      throw loadError(options.id, error);
    }
    const node = new RaftNode(options, stored);
    await boot({ loop: node.#loop, applier: node.#applier, members: node.#members, stateMachine: node.stateMachine, sessions: node.#sessions }, options, stored);
    return node;
  }

  private constructor(options: RaftNodeOptions<SM>, stored: StoredState) {
    this.id = options.id;
    this.stateMachine = options.stateMachine;
    const tickMs = options.tickMs ?? 50;
    const commands = options.commandCodec ?? jsonCodec<CommandOf<SM>>();
    const random = options.random ?? Math.random;
    const incarnation = Math.floor(random() * 0x1_0000_0000);
    const envelopes = new EnvelopeCodec(this.id, incarnation);
    this.#reads = new Reads(incarnation);
    const leaders = new LeaderWatch();
    const confs = new ConfWatch();
    const parts = { proposals: this.#proposals, reads: this.#reads, leaders, confs, metrics: this.#metrics };
    const events = this.#events as Emitter<RaftNodeEvents>;
    const loop = new ReadyLoop({ ...parts, id: this.id, log: options.log, transport: options.transport, clock: options.clock ?? systemClock, tickMs, keepEntries: options.snapshotKeepEntries ?? 1000, events });
    this.#loop = loop;
    // Results are whatever `apply` returned; one JSON would change is kept as JSON has it rather
    // than failing the snapshot that carries it.
    const resultCodec = options.resultCodec ?? jsonCodec({ label: 'result', strict: false });
    this.#sessions = new SessionTable(options.sessionTtlEntries ?? 100_000, resultCodec as CommandCodec<unknown>);
    this.#requests = new Requests<SM>({
      ...parts,
      loop,
      stateMachine: this.stateMachine,
      commands,
      envelopes,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      waitsForLeader: options.proposalsWithoutLeader !== 'reject',
      maxBatchCommands: options.maxBatchCommands ?? 1,
    });
    this.#members = new Members({ loop, requests: this.#requests as Requests, confs, tickMs, random, initialImage: () => initialImage(this.stateMachine, this.#sessions) });
    const policy = { everyEntries: options.snapshotEvery ?? 10_000, everyBytes: options.snapshotBytes ?? 0 };
    this.#applier = new Applier(loop, this.#proposals, this.stateMachine, commands as CommandCodec<unknown>, envelopes, this.#sessions, policy, emptyConf);
    this.#inbox = new Inbox(loop, this.#members, new ForwardedProposals(envelopes));
    loop.applier = this.#applier;
    loop.requests = this.#requests as Requests;
    loop.members = this.#members;
    loop.term = stored.hardState.term;
    loop.commit = stored.hardState.commit;
  }

  /** Starts the transport and the clock. */
  start(): Promise<void> {
    return this.#loop.start(this.#inbox.handlers);
  }

  /**
   * Stops ticking and receiving, rejects every pending call with StoppedError, waits for the
   * writes already issued, then closes the transport and the log store. Idempotent.
   */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /**
   * Replicates `command` and resolves with what the state machine's `apply` returned for it
   * on this node. A follower forwards it to the leader; while no leader is known (right after
   * start, during an election) it waits for one within the timeout. With
   * `proposalsWithoutLeader: 'reject'` a follower refuses instead. Rejects with NotLeaderError (with the leader hint), ProposalRefusedError,
   * ProposalDroppedError (definitely not applied), TimeoutError or AbortError (outcome
   * unknown), StoppedError, or whatever `apply` threw.
   */
  propose(command: CommandOf<SM>, options: ProposeOptions = {}): Promise<ResultOf<SM>> {
    return this.#requests.propose(command, options);
  }

  /** Opens an exactly-once client session (a replicated registration entry). */
  async openSession(options: RequestOptions = {}): Promise<ClientSession<SM>> {
    const clientId = await this.#requests.registerSession(options);
    return new ClientSession(this, clientId, 0);
  }

  /** A handle on a session opened earlier (here or on another node), continuing after `lastSeq`. */
  resumeSession(clientId: string, lastSeq: number): ClientSession<SM> {
    return new ClientSession(this, clientId, lastSeq);
  }

  /**
   * A linearizable read (ReadIndex, §6.4 of the Raft thesis): once this node has applied
   * everything committed when the read was asked, runs `query` on the state machine and
   * resolves with its result. Without a query, resolves with the read index. Waits for a
   * leader, within the timeout, while none is known (see `propose`).
   */
  read(): Promise<number>;
  read<T>(query: (stateMachine: SM, index: number) => T | Promise<T>, options?: RequestOptions): Promise<T>;
  read<T>(query?: (stateMachine: SM, index: number) => T | Promise<T>, options: RequestOptions = {}): Promise<T | number> {
    return this.#requests.read(query, options);
  }

  /**
   * Adds a voter (or a learner) and resolves with the configuration once it is applied here.
   * Leader only. In a cluster that binds members to their stores (every cluster RaftNode founds),
   * a new voter is added as a learner first: it becomes a voter once it has started, bound its
   * store (it asks for that by itself) and caught up; the Promise waits for that.
   */
  addMember(id: NodeId, options: RequestOptions & { readonly learner?: boolean } = {}): Promise<ConfState> {
    return this.#members.addMember(id, options);
  }

  removeMember(id: NodeId, options: RequestOptions = {}): Promise<ConfState> {
    return this.#requests.changeMembership({ type: 'remove', id }, options);
  }

  /** Makes a learner a voter. */
  promote(id: NodeId, options: RequestOptions = {}): Promise<ConfState> {
    return this.#requests.changeMembership({ type: 'addVoter', id }, options);
  }

  /**
   * Proposes any membership change: several steps at once go through a joint configuration
   * (thesis §4.3; left automatically with `transition: 'auto'`, or by an empty change with
   * `'explicit'`). `addMember`, `removeMember` and `promote` are its one-step forms. Leader
   * only; resolves with the configuration once the change is applied here.
   */
  reconfigure(change: ConfChange, options: RequestOptions = {}): Promise<ConfState> {
    return this.#requests.proposeMembership(change, options);
  }

  /**
   * Joins an existing cluster. The node must be new: created without `members` on an empty
   * store. Asks the members in `via` (any of them; a follower forwards to its leader, and a
   * silent one is skipped after a backoff); the leader reserves this id through the log, adds
   * the node as a learner and promotes it once it has caught up. Resolves with the
   * configuration once this node is a voter here (a learner with `learner: true`).
   * Rejects with JoinRefusedError when the id is taken, InvalidArgumentError when the node
   * already belongs to another configuration, TimeoutError, AbortError or StoppedError.
   */
  join(options: JoinOptions): Promise<ConfState> {
    return this.#members.join(options);
  }

  /**
   * Leaves the cluster: a leader first hands leadership to its most caught-up voter, then the
   * leader removes this node. Resolves once the removal is applied (on the leader, or here),
   * after stopping this node; a node that is no member just stops. The last voter cannot leave.
   * On a timeout or abort the node keeps running (the removal may still happen).
   */
  async leave(options: RequestOptions = {}): Promise<void> {
    const refused = this.#requests.refuse(options);
    if (refused !== undefined) return refused;
    const removal = this.#members.leave(options);
    if (removal !== undefined) await removal;
    await this.stop();
  }

  /** Asks the leader to hand leadership to `to`; resolves once this node sees `to` lead. */
  transferLeadership(to: NodeId, options: RequestOptions = {}): Promise<void> {
    return this.#requests.transferLeadership(to, options);
  }

  /** Resolves with the leader's id as soon as one is known. */
  waitForLeader(options: RequestOptions = {}): Promise<NodeId> {
    return this.#requests.waitForLeader(options);
  }

  /**
   * Snapshots the state machine now (between two entries) instead of waiting for the
   * `snapshotEvery` / `snapshotBytes` policy; the log is compacted once the snapshot is durable
   * (the `snapshotTaken` event).
   */
  takeSnapshot(): void {
    if (this.#loop.state === 'running') this.#applier.snapshotSoon();
  }

  /**
   * Starts an election now instead of waiting for the election timeout (a founder whose first
   * configuration is not settled yet campaigns once it is).
   */
  campaign(): void {
    this.#members.campaign();
  }

  on<K extends keyof RaftNodeEvents>(name: K, listener: (event: RaftNodeEvents<CommandOf<SM>, ResultOf<SM>>[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  get role(): Role {
    return this.#loop.role;
  }

  /** The leader this node knows of, or `''`. */
  get leader(): NodeId {
    return this.#loop.lead;
  }

  get isLeader(): boolean {
    return this.#loop.role === 'leader';
  }

  /** The membership configuration in effect. */
  members(): ConfState {
    return this.#loop.core.status().conf;
  }

  status(): RaftNodeStatus {
    const loop = this.#loop;
    const core = loop.core.status();
    const conf = core.conf;
    return {
      ...core,
      ...(loop.transportStatus === undefined ? {} : { transport: loop.transportStatus }),
      store: loop.store,
      admitted: loop.store === undefined || (conf.voters.length > 0 && (conf.stores === undefined || storeOf(conf, this.id) === loop.store)),
      state: loop.state,
      applied: this.#applier.applied,
      pendingProposals: this.#proposals.size,
      pendingReads: this.#reads.size,
      metrics: { ...this.#metrics, rejected: { ...this.#metrics.rejected } },
    };
  }
}

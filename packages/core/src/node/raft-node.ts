/**
 * RaftNode: the async driver around the pure core. It is the only place with timers,
 * Promises and I/O — it ticks the core with the injected clock, runs the ready loop
 * (persist through the LogStore, send through the Transport, apply to the StateMachine) and
 * settles callers' Promises with what their commands returned.
 */
import type { ProposeOutcome, RaftCore, RaftOptions, RaftRestore, Ready } from '../raft/contract.ts';
import { RawNode } from '../raft/raw-node.ts';
import type { ConfChange, ConfChangeSingle, ConfState, HardState, FoundRequest, FoundResponse, MemberRequest, MemberResponse, MemberWish, Message, NodeId, ProposeMessage, Rejection, Role, Snapshot, SoftState } from '../raft/types.ts';
import type { LogStore, LogWrite, StoredState } from '../storage/log-store.ts';
import type { Transport, TransportHandlers, TransportStatus } from '../transport/transport.ts';
import { Applier, toError, type ApplierHost } from './applier.ts';
import { ClientSession } from './client-session.ts';
import { systemClock } from './clock.ts';
import { jsonCodec } from './codecs.ts';
import { Emitter } from './emitter.ts';
import { EnvelopeCodec, isClientIdValid, type EnvelopeSession } from './envelope.ts';
import { ForwardedProposals } from './forwarded.ts';
import { ProposalBatch } from './proposal-batch.ts';
import { pickKnobs, validateOptions } from './check-options.ts';
import {
  AbortError,
  InvalidArgumentError,
  LostStateError,
  NotLeaderError,
  SecretMismatchError,
  TimeoutError,
  TransportFailedError,
  ProposalRefusedError,
  RaftNodeError,
  StorageError,
  StoppedError,
} from './errors.ts';
import { MemberClient, type JoinOptions } from './join.ts';
import { ConfWatch, LeaderWatch } from './leader-watch.ts';
import { MemberDesk, checkMemberMessage, roleIn } from './membership.ts';
import { Founding, checkFoundMessage } from './founding.ts';
import { newStoreId } from './store-id.ts';
import { storeOf } from '../raft/confchange.ts';
import type {
  AnyStateMachine,
  CommandOf,
  NodeState,
  ProposeOptions,
  RaftNodeEvents,
  RaftNodeMetrics,
  RaftNodeOptions,
  RaftNodeStatus,
  RequestOptions,
  ResultOf,
} from './options.ts';
import { Proposals } from './proposals.ts';
import { Reads } from './reads.ts';
import { SessionTable } from './sessions.ts';
import { wrapSnapshot } from './snapshot-image.ts';
import type { Clock, CommandCodec } from './state-machine.ts';
import { WriteQueue } from './write-queue.ts';

/** Authentication failures in a row before the node says its peers use another secret. */
const AUTH_FAILURES_REPORTED = 8;

const emptyConf: ConfState = Object.freeze({ voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });

/** Errors of the language itself: from a store, they say little, so they are wrapped. */
const builtInErrors = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);

export class RaftNode<SM extends AnyStateMachine = AnyStateMachine> {
  readonly id: NodeId;
  readonly stateMachine: SM;
  private readonly log: LogStore;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly requestTimeoutMs: number;
  /** Whether requests made while no leader is known wait for one (else they are refused at once). */
  private readonly waitsForLeader: boolean;
  private readonly keepEntries: number;
  private readonly commands: CommandCodec<CommandOf<SM>>;
  private readonly envelopes: EnvelopeCodec;
  private readonly events = new Emitter<RaftNodeEvents<CommandOf<SM>, ResultOf<SM>>>();
  private readonly metrics: RaftNodeMetrics = {
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
  private readonly proposals = new Proposals();
  private readonly reads: Reads;
  private readonly leaders = new LeaderWatch();
  private readonly confs = new ConfWatch();
  private readonly writes: WriteQueue;
  private readonly applier: Applier;
  private readonly sessions: SessionTable;
  /** Join and leave requests of other nodes (leader: decides; follower: forwards). */
  private readonly memberDesk: MemberDesk;
  /** This node's own join or leave request. */
  private readonly memberClient: MemberClient;
  private core!: RaftCore;
  private state: NodeState = 'created';
  private currentRole: Role = 'follower';
  private lead: NodeId = '';
  private term = 0;
  private commit = 0;
  /** Highest snapshot index handed to the store, so an older self-snapshot is never saved after it. */
  private snapshotFloor = 0;
  private scheduled = false;
  /** A ready cycle is running (a transport that delivers synchronously must not start another). */
  private cycling = false;
  private readonly forwarded: ForwardedProposals;
  private readonly maxBatchCommands: number;
  /** Commands waiting for the next cycle to be proposed as batch entries (parallel arrays). */
  private readonly batch = new ProposalBatch();
  /** Reused for unbatched proposals, which are the hot path without `maxBatchCommands`. */
  private readonly oneSeq = [0];
  private tickHandle: unknown;
  /** Clock time at the last tick; deadlines are checked once per tick, so that precision suffices. */
  private now = 0;
  private stopping: Promise<void> | undefined;
  /** This node's store identity (HardState.store); undefined for a store from before it was tracked. */
  private store: string | undefined;
  /** Set while this node looks for its fellow founders (created with `members` on an empty store). */
  private founding: Founding | undefined;
  /** The lost-state error was reported for this life. */
  private reportedForgotten = false;
  /** `campaign()` was called before the founders settled the first configuration. */
  private campaignWhenSettled = false;
  /** What the transport last reported of its own connection (transports with none never report). */
  private transportStatus: TransportStatus | undefined;
  /** Messages refused for authentication since the last one accepted, and some of their senders. */
  private authFailures = 0;
  private readonly authFailedFrom = new Set<NodeId>();

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
      // A store's own typed error (locked by another tab, wiped, corrupt...) says what to do; pass it on as it is.
      if (error instanceof Error && !builtInErrors.has(error.name)) throw error;
      throw new StorageError(`node ${options.id}: cannot load the log store: ${String(error instanceof Error ? error.message : error)}`, { cause: error });
    }
    const node = new RaftNode(options, stored);
    await node.init(options, stored);
    return node;
  }

  private constructor(options: RaftNodeOptions<SM>, stored: StoredState) {
    this.id = options.id;
    this.stateMachine = options.stateMachine;
    this.log = options.log;
    this.transport = options.transport;
    this.clock = options.clock ?? systemClock;
    this.tickMs = options.tickMs ?? 50;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.waitsForLeader = options.proposalsWithoutLeader !== 'reject';
    this.keepEntries = options.snapshotKeepEntries ?? 1000;
    this.maxBatchCommands = options.maxBatchCommands ?? 1;
    this.commands = options.commandCodec ?? jsonCodec<CommandOf<SM>>();
    const random = options.random ?? Math.random;
    const incarnation = Math.floor(random() * 0x1_0000_0000);
    this.envelopes = new EnvelopeCodec(this.id, incarnation);
    this.forwarded = new ForwardedProposals(this.envelopes);
    this.reads = new Reads(incarnation);
    this.writes = new WriteQueue(this.log, (error) => this.fail(new StorageError(`node ${this.id}: log write failed`, { cause: error })));
    // Results are whatever `apply` returned; one JSON would change is kept as JSON has it rather
    // than failing the snapshot that carries it.
    const resultCodec = options.resultCodec ?? jsonCodec({ label: 'result', strict: false });
    this.sessions = new SessionTable(options.sessionTtlEntries ?? 100_000, resultCodec as CommandCodec<unknown>);
    const host: ApplierHost = {
      proposals: this.proposals,
      metrics: this.metrics,
      events: this.events as Emitter<RaftNodeEvents>,
      applied: (index) => this.onApplied(index),
      snapshotTaken: (snapshot) => this.saveSnapshot(snapshot),
      error: (error, fatal) => (fatal ? this.fail(error) : this.emitError(error)),
    };
    const self = this;
    const membershipHost = {
      id: this.id,
      get store() {
        return self.store;
      },
      status: () => this.core.status(),
      proposeConfChange: (change: ConfChange) => this.core.proposeConfChange(change),
      transferLeadership: (to: NodeId) => this.core.transferLeadership(to),
      send: (message: Message) => this.send(message),
    };
    this.memberDesk = new MemberDesk(membershipHost);
    this.memberClient = new MemberClient(membershipHost, this.tickMs * 4, random);
    const policy = { everyEntries: options.snapshotEvery ?? 10_000, everyBytes: options.snapshotBytes ?? 0 };
    this.applier = new Applier(host, this.stateMachine, this.commands as CommandCodec<unknown>, this.envelopes, this.sessions, policy, emptyConf);
    this.term = stored.hardState.term;
    this.commit = stored.hardState.commit;
  }

  private async init(options: RaftNodeOptions<SM>, loaded: StoredState): Promise<void> {
    const random = options.random ?? Math.random;
    const stored = loaded.empty ? await this.claimStore(loaded, options.members, random) : loaded;
    this.store = stored.hardState.store;
    if (stored.snapshot !== undefined) {
      await this.applier.restoreInitial(stored.snapshot);
      this.snapshotFloor = stored.snapshot.meta.index;
    }
    const restore: RaftRestore = {
      hardState: stored.hardState,
      entries: stored.entries,
      applied: this.applier.applied,
      ...(stored.snapshot !== undefined ? { snapshot: stored.snapshot } : {}),
    };
    const coreOptions: RaftOptions = { ...pickKnobs(options), id: this.id, random };
    this.core = (options.createCore ?? ((o, r) => new RawNode(o, r)))(coreOptions, restore);
    if (stored.snapshot === undefined) this.applier.conf = this.core.status().conf;
    const members = [...new Set(options.members ?? [])];
    const status = this.core.status();
    if (members.length > 1 && this.store !== undefined && status.conf.voters.length === 0 && status.lastIndex === 0) {
      this.founding = new Founding({
        id: this.id,
        store: this.store,
        members,
        conf: () => this.core.status().conf,
        send: (message) => this.send(message),
        settle: (conf) => void this.settleFounding(conf),
        forgotten: () => this.reportForgotten(),
      });
    }
  }

  /**
   * A brand-new (or wiped) store gets its identity, durable before anything else. A lone
   * founder settles its one-voter configuration at once, as a snapshot at index 0 (the state
   * machine's initial image); founders of a larger cluster settle theirs with each other
   * first (see Founding). A restart finds the configuration in the store, so `members` is
   * consulted only while none is there.
   */
  private async claimStore(stored: StoredState, members: readonly NodeId[] | undefined, random: () => number): Promise<StoredState> {
    const store = newStoreId(random);
    const hardState: HardState = { term: 0, vote: '', commit: 0, store };
    const alone = members !== undefined && members.length > 0 && members.every((id) => id === this.id);
    const conf: ConfState = { voters: [this.id], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, stores: { [this.id]: store } };
    const snapshot: Snapshot | undefined = alone ? { meta: { index: 0, term: 0, conf }, data: await this.initialImage() } : undefined;
    try {
      await this.log.write(snapshot === undefined ? { hardState } : { hardState, saveSnapshot: snapshot });
    } catch (error) {
      throw new StorageError(`node ${this.id}: cannot write to the new log store`, { cause: error });
    }
    return { hardState, ...(snapshot !== undefined ? { snapshot } : {}), entries: [], empty: false };
  }

  private async initialImage(): Promise<Uint8Array> {
    return wrapSnapshot(await this.stateMachine.snapshot(), this.sessions);
  }

  /** The founders settled the first configuration: it reaches the core as a snapshot at index 0. */
  private async settleFounding(conf: ConfState): Promise<void> {
    const data = await this.initialImage();
    if (this.state !== 'running') return;
    const status = this.core.status();
    // A leader may have reached this node meanwhile: then it has its configuration already.
    if (status.conf.voters.length > 0 || status.lastIndex > 0) return;
    this.core.bootstrap({ meta: { index: 0, term: 0, conf }, data });
    if (this.campaignWhenSettled) this.core.campaign();
    this.schedule();
  }

  /** Reports, once per life, that this node's configuration does not admit its store. */
  private reportForgotten(): void {
    if (this.reportedForgotten || this.store === undefined) return;
    this.reportedForgotten = true;
    this.emitError(new LostStateError(this.id, this.store));
  }

  /**
   * A member whose configuration binds it to another store (it lost its state) or to none (it
   * was added by hand) asks to be bound to its store; it does not vote until then.
   */
  private maybeRebind(): void {
    if (this.store === undefined || this.memberClient.busy) return;
    const conf = this.core.status().conf;
    if (conf.stores === undefined || roleIn(conf, this.id) === undefined || storeOf(conf, this.id) === this.store) return;
    if (storeOf(conf, this.id) !== undefined) this.reportForgotten();
    this.memberClient.start('rebind', conf.voters, this.now, this.requestTimeoutMs, undefined).catch(() => undefined);
  }

  /** Starts the transport and the clock. */
  async start(): Promise<void> {
    if (this.state !== 'created') throw new StoppedError(`node ${this.id} cannot start: it is ${this.state}`);
    this.state = 'running';
    this.now = this.clock.now();
    try {
      await this.transport.start(this.handlers);
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
    if (this.state !== 'running') return;
    this.tickHandle = this.clock.setTimeout(this.onTick, this.tickMs);
    this.founding?.start(this.term);
    this.schedule();
  }

  /**
   * Stops ticking and receiving, rejects every pending call with StoppedError, waits for the
   * writes already issued, then closes the transport and the log store. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown('stopped', new StoppedError(`node ${this.id} stopped`));
    return this.stopping;
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
    let payload: Uint8Array;
    try {
      payload = this.commands.encode(command);
    } catch (error) {
      const detail = error instanceof Error ? `: ${error.message}` : '';
      return Promise.reject(new InvalidArgumentError(`the command codec cannot encode this command${detail}`, { cause: error }));
    }
    const session = options.session;
    if (session !== undefined && (typeof session.clientId !== 'string' || !Number.isSafeInteger(session.seq) || session.seq < 1)) {
      return Promise.reject(new InvalidArgumentError('session needs a clientId string and a seq ≥ 1'));
    }
    // With a leader known (the common case) no closure is made for the wait.
    if (!this.mustWaitForLeader()) return this.submit('proposal', options, payload, session);
    return this.afterLeaderKnown(options, (remaining) => this.submit('proposal', remaining, payload, session));
  }

  /** Opens an exactly-once client session (a replicated registration entry). */
  async openSession(options: RequestOptions = {}): Promise<ClientSession<SM>> {
    const clientId = await this.afterLeaderKnown(options, (remaining) => this.submit<string>('session registration', remaining, undefined, undefined));
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
    return this.afterLeaderKnown(options, (remaining) => this.readNow(query, remaining));
  }

  private readNow<T>(query: ((stateMachine: SM, index: number) => T | Promise<T>) | undefined, options: RequestOptions): Promise<T | number> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (this.lead === '') return Promise.reject(new NotLeaderError('', 'noLeader'));
    this.metrics.reads++;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const serve = query === undefined ? (index: number) => index : (index: number) => query(this.stateMachine, index);
    const promise = this.reads.add<T | number>(serve, this.now + timeoutMs, timeoutMs, options.signal);
    this.schedule();
    return promise;
  }

  /**
   * Adds a voter (or a learner) and resolves with the configuration once it is applied here.
   * Leader only. In a cluster that binds members to their stores (every cluster RaftNode founds),
   * a new voter is added as a learner first: it becomes a voter once it has started, bound its
   * store (it asks for that by itself) and caught up; the Promise waits for that.
   */
  addMember(id: NodeId, options: RequestOptions & { readonly learner?: boolean } = {}): Promise<ConfState> {
    if (options.learner === true) return this.changeMembership({ type: 'addLearner', id }, options);
    const conf = this.core.status().conf;
    if (conf.stores === undefined || storeOf(conf, id) !== undefined || conf.voters.includes(id)) {
      return this.changeMembership({ type: 'addVoter', id }, options);
    }
    const started = this.now;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const added = roleIn(conf, id) === 'learner' ? Promise.resolve(conf) : this.changeMembership({ type: 'addLearner', id }, options);
    return added.then((after) => {
      if (after.voters.includes(id)) return after;
      this.memberDesk.promoteWhenReady(id);
      const remaining = Math.max(1, timeoutMs - (this.now - started));
      return this.confs.wait(`adding ${id} as a voter`, (c) => c.voters.includes(id), this.now + remaining, remaining);
    });
  }

  removeMember(id: NodeId, options: RequestOptions = {}): Promise<ConfState> {
    return this.changeMembership({ type: 'remove', id }, options);
  }

  /** Makes a learner a voter. */
  promote(id: NodeId, options: RequestOptions = {}): Promise<ConfState> {
    return this.changeMembership({ type: 'addVoter', id }, options);
  }

  /**
   * Proposes any membership change: several steps at once go through a joint configuration
   * (thesis §4.3; left automatically with `transition: 'auto'`, or by an empty change with
   * `'explicit'`). `addMember`, `removeMember` and `promote` are its one-step forms. Leader
   * only; resolves with the configuration once the change is applied here.
   */
  reconfigure(change: ConfChange, options: RequestOptions = {}): Promise<ConfState> {
    return this.proposeMembership(change, options);
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
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (!Array.isArray(options.via) || options.via.length === 0 || options.via.some((id) => typeof id !== 'string' || id === '')) {
      return Promise.reject(new InvalidArgumentError('join: via must list at least one member id'));
    }
    const conf = this.core.status().conf;
    const role = roleIn(conf, this.id);
    if (role === 'voter' || (role === 'learner' && options.learner === true)) return Promise.resolve(conf);
    if (role === undefined && conf.voters.length > 0) {
      return Promise.reject(new InvalidArgumentError(`join: node ${this.id} already has the state of a cluster it is not a member of`));
    }
    return this.startMemberRequest(options.learner === true ? 'learner' : 'voter', options.via, options);
  }

  /**
   * Leaves the cluster: a leader first hands leadership to its most caught-up voter, then the
   * leader removes this node. Resolves once the removal is applied (on the leader, or here),
   * after stopping this node; a node that is no member just stops. The last voter cannot leave.
   * On a timeout or abort the node keeps running (the removal may still happen).
   */
  async leave(options: RequestOptions = {}): Promise<void> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    const conf = this.core.status().conf;
    if (roleIn(conf, this.id) !== undefined) {
      if (conf.voters.length === 1 && conf.voters[0] === this.id && conf.votersOutgoing.length === 0) {
        throw new InvalidArgumentError(`leave: ${this.id} is the last voter`);
      }
      await this.startMemberRequest('leave', conf.voters, options);
    }
    await this.stop();
  }

  private startMemberRequest(wish: MemberWish, via: readonly NodeId[], options: RequestOptions): Promise<ConfState> {
    if (this.memberClient.busy) return Promise.reject(new InvalidArgumentError('a join or leave request is already under way'));
    const promise = this.memberClient.start(wish, [...via], this.now, options.timeoutMs ?? this.requestTimeoutMs, options.signal);
    this.schedule();
    return promise;
  }

  /** Asks the leader to hand leadership to `to`; resolves once this node sees `to` lead. */
  transferLeadership(to: NodeId, options: RequestOptions = {}): Promise<void> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (this.lead === to) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const done = this.leaders.wait(`transfer of leadership to ${to}`, (leader) => leader === to, this.now + timeoutMs, timeoutMs);
    this.core.transferLeadership(to);
    this.schedule();
    return done.then(() => undefined);
  }

  /** Resolves with the leader's id as soon as one is known. */
  waitForLeader(options: RequestOptions = {}): Promise<NodeId> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (this.lead !== '') return Promise.resolve(this.lead);
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return this.leaders.wait('waiting for a leader', (leader) => leader !== '', this.now + timeoutMs, timeoutMs);
  }

  /**
   * Snapshots the state machine now (between two entries) instead of waiting for the
   * `snapshotEvery` / `snapshotBytes` policy; the log is compacted once the snapshot is durable
   * (the `snapshotTaken` event).
   */
  takeSnapshot(): void {
    if (this.state === 'running') this.applier.snapshotSoon();
  }

  /**
   * Starts an election now instead of waiting for the election timeout (a founder whose first
   * configuration is not settled yet campaigns once it is).
   */
  campaign(): void {
    if (this.state !== 'running') return;
    if (this.founding !== undefined && this.core.status().conf.voters.length === 0) {
      this.campaignWhenSettled = true;
      return;
    }
    this.core.campaign();
    this.schedule();
  }

  on<K extends keyof RaftNodeEvents>(name: K, listener: (event: RaftNodeEvents<CommandOf<SM>, ResultOf<SM>>[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  get role(): Role {
    return this.currentRole;
  }

  /** The leader this node knows of, or `''`. */
  get leader(): NodeId {
    return this.lead;
  }

  get isLeader(): boolean {
    return this.currentRole === 'leader';
  }

  /** The membership configuration in effect. */
  members(): ConfState {
    return this.core.status().conf;
  }

  status(): RaftNodeStatus {
    const core = this.core.status();
    const conf = core.conf;
    return {
      ...core,
      ...(this.transportStatus === undefined ? {} : { transport: this.transportStatus }),
      store: this.store,
      admitted: this.store === undefined || (conf.voters.length > 0 && (conf.stores === undefined || storeOf(conf, this.id) === this.store)),
      state: this.state,
      applied: this.applier.applied,
      pendingProposals: this.proposals.size,
      pendingReads: this.reads.size,
      metrics: { ...this.metrics, rejected: { ...this.metrics.rejected } },
    };
  }

  // --- requests --------------------------------------------------------------------------

  /**
   * Runs `request` now when a leader is known (or requests are refused without one), else once
   * one is, with what is left of the caller's timeout.
   */
  private afterLeaderKnown<T>(options: RequestOptions, request: (remaining: RequestOptions) => Promise<T>): Promise<T> {
    if (!this.mustWaitForLeader()) return request(options);
    const started = this.now;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return this.waitForLeader({ ...options, timeoutMs }).then(
      () => request({ ...options, timeoutMs: Math.max(1, timeoutMs - (this.now - started)) }),
      (error: unknown) => {
        if (!(error instanceof TimeoutError)) throw error;
        // Nothing was proposed: a definite refusal, with what the transport last said if it cannot reach its peers.
        const cause = this.transportStatus?.error;
        const why = `none known after ${timeoutMs} ms${cause === undefined ? '' : `; the transport cannot reach its peers: ${cause.message}`}`;
        throw new NotLeaderError('', 'noLeader', why, cause === undefined ? undefined : { cause });
      },
    );
  }

  /** No leader known yet, and one may come: a node its own configuration left out has none to wait for. */
  private mustWaitForLeader(): boolean {
    if (this.lead !== '' || !this.waitsForLeader || this.state !== 'running') return false;
    const conf = this.core.status().conf;
    return conf.voters.length === 0 || roleIn(conf, this.id) !== undefined;
  }

  /** `payload` undefined: a session registration. */
  private submit<T>(what: string, options: RequestOptions, payload: Uint8Array | undefined, session: EnvelopeSession | undefined): Promise<T> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (session !== undefined && !isClientIdValid(session.clientId)) {
      return Promise.reject(new InvalidArgumentError('session clientId must be 1..255 UTF-8 bytes'));
    }
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const promise = this.proposals.add<T>(what, this.now + timeoutMs, timeoutMs, options.signal);
    const seq = this.proposals.lastSeq;
    this.metrics.proposals++;
    if (this.maxBatchCommands > 1) {
      this.batch.push(seq, payload, session);
    } else {
      this.fenceEnvelopes();
      this.oneSeq[0] = seq;
      this.proposeEntry(this.envelopes.encode(seq, payload, session), this.oneSeq, 0, 1);
    }
    this.schedule();
    return promise;
  }

  /** Proposes the commands collected since the last cycle, up to `maxBatchCommands` per entry. */
  private flushBatch(): void {
    this.fenceEnvelopes();
    this.batch.drain(this.maxBatchCommands, this.envelopes, (data, seqs, start, end) => this.proposeEntry(data, seqs, start, end));
  }

  /** What the next envelopes tell a leader about this node's proposals (see ForwardedProposals). */
  private fenceEnvelopes(): void {
    this.envelopes.floor = this.proposals.floor;
    this.envelopes.stamp = this.commit;
  }

  /** Hands one entry to the core and settles the callers of `seqs[start..end)` if it refuses. */
  private proposeEntry(data: Uint8Array, seqs: readonly number[], start: number, end: number): void {
    let outcome: ProposeOutcome;
    try {
      outcome = this.core.propose(data);
    } catch (error) {
      // A core that throws here has a bug; the callers learn of it, the node goes on.
      for (let i = start; i < end; i++) this.proposals.fail(seqs[i]!, toError(error));
      return;
    }
    for (let i = start; i < end; i++) this.settleOutcome(seqs[i]!, outcome);
  }

  private changeMembership(change: ConfChangeSingle, options: RequestOptions): Promise<ConfState> {
    return this.proposeMembership({ changes: [change], transition: 'auto', context: new Uint8Array(0) }, options);
  }

  private proposeMembership(change: ConfChange, options: RequestOptions): Promise<ConfState> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (!Array.isArray(change.changes) || change.changes.some((c) => typeof c?.id !== 'string' || c.id === '')) {
      return Promise.reject(new InvalidArgumentError('member id must be a non-empty string'));
    }
    // Only a leader learns the index of its entry, which is how the caller is found again.
    // Ask the core itself: the role seen in the last Ready may be a step behind.
    const { role, lead } = this.core.status();
    if (role !== 'leader') return Promise.reject(new NotLeaderError(lead));
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const what = change.changes.map((c) => `${c.type} ${c.id}`).join(', ') || 'leave joint';
    const promise = this.proposals.add<ConfState>(`membership change (${what})`, this.now + timeoutMs, timeoutMs, options.signal);
    const seq = this.proposals.lastSeq;
    const outcome = this.core.proposeConfChange(change);
    if (outcome.ok && !('index' in outcome)) this.proposals.fail(seq, new NotLeaderError(outcome.forwardedTo));
    else this.settleOutcome(seq, outcome);
    this.schedule();
    return promise;
  }

  private settleOutcome(seq: number, outcome: ProposeOutcome): void {
    if (outcome.ok) {
      if ('index' in outcome) this.proposals.appended(seq, outcome.index, outcome.term);
      return;
    }
    this.metrics.proposalsRefused++;
    const { reason, leader, detail } = outcome;
    const leadership = reason === 'notLeader' || reason === 'noLeader' || reason === 'transferring';
    this.proposals.fail(seq, leadership ? new NotLeaderError(leader, reason) : new ProposalRefusedError(reason, detail));
  }

  /** A rejected Promise when the node cannot take requests now or the signal already fired. */
  private refuse(options: RequestOptions): Promise<never> | undefined {
    if (this.state !== 'running') {
      return Promise.reject(new StoppedError(this.state === 'created' ? `node ${this.id} is not started` : `node ${this.id} is ${this.state}`));
    }
    if (options.signal?.aborted === true) return Promise.reject(new AbortError(options.signal.reason));
    return undefined;
  }

  // --- the ready loop ----------------------------------------------------------------------

  private readonly handlers: TransportHandlers = {
    message: (message) => this.receive(message),
    rejected: (rejection) => this.rejected(rejection),
    status: (status) => this.transportChanged(status),
    reachability: (peer, reachable) => {
      if (reachable || this.state !== 'running') return;
      this.core.reportUnreachable(peer);
      this.schedule();
    },
  };

  private receive(message: Message): void {
    if (this.state !== 'running') return;
    this.metrics.messagesReceived++;
    this.authFailures = 0;
    if (message.type === 'member' || message.type === 'memberResp') {
      this.receiveMember(message);
      return;
    }
    if (message.type === 'found' || message.type === 'foundResp') {
      this.receiveFound(message);
      return;
    }
    if (message.type === 'prop') {
      const admitted = this.admitForwarded(message);
      if (admitted === undefined) return;
      message = admitted;
    }
    let rejection: Rejection | undefined;
    try {
      rejection = this.core.step(message);
    } catch (error) {
      rejection = { reason: 'impossibleField', detail: `the core threw on a ${String(message.type)} message: ${toError(error).message}` };
    }
    if (rejection !== undefined) this.rejected({ ...rejection, from: message.from });
    this.schedule();
  }

  /**
   * A leader drops forwarded proposals it appended already in this term (a duplicated
   * message); see ForwardedProposals. Role and term are the core's as of now: a cycle still
   * pending (an election just won by a message of the same delivery) runs first.
   */
  private admitForwarded(message: ProposeMessage): ProposeMessage | undefined {
    if (this.scheduled && !this.cycling) this.cycle();
    if (this.currentRole !== 'leader' || message.term !== this.term) return message;
    const { entries, dropped } = this.forwarded.admit(message, this.term, this.commit);
    if (dropped === 0) return message;
    this.metrics.duplicateProposals += dropped;
    return entries.length === 0 ? undefined : { ...message, entries };
  }

  /** Founders' questions and answers (see Founding); they never reach the core. */
  private receiveFound(message: FoundRequest | FoundResponse): void {
    const rejection = checkFoundMessage(message, this.id);
    if (rejection !== undefined) {
      this.rejected({ ...rejection, from: message.from });
      return;
    }
    if (message.type === 'foundResp') {
      this.founding?.receive(message);
    } else if (this.founding !== undefined) {
      this.founding.answer(message, this.term);
    } else if (this.store !== undefined && this.core.status().conf.voters.length > 0) {
      const conf = this.core.status().conf;
      this.send({ type: 'foundResp', from: this.id, to: message.from, term: this.term, store: this.store, conf: { index: 0, term: 0, conf } });
    }
    this.schedule();
  }

  /** Join and leave traffic never reaches the core. */
  private receiveMember(message: MemberRequest | MemberResponse): void {
    let rejection = checkMemberMessage(message, this.id);
    try {
      if (rejection === undefined && message.type === 'memberResp' && message.subject === this.id) {
        this.memberClient.receive(message, this.now);
      } else if (rejection === undefined) {
        rejection = this.memberDesk.receive(message);
      }
    } catch (error) {
      rejection = { reason: 'impossibleField', detail: `a ${message.type} message failed: ${toError(error).message}` };
    }
    if (rejection !== undefined) this.rejected({ ...rejection, from: message.from });
    this.schedule();
  }

  private rejected(rejection: Rejection & { readonly from?: NodeId }): void {
    const counts = this.metrics.rejected;
    counts[rejection.reason] = (counts[rejection.reason] ?? 0) + 1;
    this.events.emit('messageRejected', rejection, this.listenerError);
    if (rejection.reason === 'auth') this.authFailed(rejection.from);
  }

  /**
   * Authentication failures come in bursts when peers use another cluster secret: after
   * `AUTH_FAILURES_REPORTED` of them in a row without an authenticated message in between,
   * say so plainly (once per burst).
   */
  private authFailed(from: NodeId | undefined): void {
    this.authFailures++;
    if (from !== undefined && this.authFailedFrom.size < 8) this.authFailedFrom.add(from);
    if (this.authFailures !== AUTH_FAILURES_REPORTED) return;
    this.emitError(new SecretMismatchError(this.authFailures, [...this.authFailedFrom].sort()));
  }

  /** The transport's own connection changed: kept for `status()`, told as an event, and fatal once it gave up. */
  private transportChanged(status: TransportStatus): void {
    const previous = this.transportStatus;
    this.transportStatus = status;
    this.events.emit('transportStatus', status, this.listenerError);
    if (status.state === 'failed') {
      const error = status.error ?? new Error('the transport gave up');
      this.fail(new TransportFailedError(`node ${this.id}: the transport gave up: ${error.message}`, { cause: error }));
    } else if (status.error !== undefined && (previous?.state !== status.state || previous.error?.message !== status.error.message)) {
      this.emitError(status.error);
    }
  }

  private readonly onTick = (): void => {
    this.tickHandle = undefined;
    if (this.state !== 'running') return;
    this.now = this.clock.now();
    try {
      this.core.tick();
    } catch (error) {
      this.fail(new RaftNodeError(`node ${this.id}: the core failed on a tick`, { cause: error }));
      return;
    }
    this.proposals.expire(this.now);
    this.reads.expire(this.now);
    this.leaders.expire(this.now);
    this.confs.expire(this.now);
    this.memberDesk.tick();
    this.memberClient.tick(this.now);
    this.founding?.tick(this.term);
    this.maybeRebind();
    this.tickHandle = this.clock.setTimeout(this.onTick, this.tickMs);
    this.schedule();
  };

  private schedule(): void {
    if (this.scheduled || this.state !== 'running') return;
    this.scheduled = true;
    queueMicrotask(this.cycle);
  }

  /** One ready cycle: every input since the last cycle is handled by the Readys taken here. */
  private readonly cycle = (): void => {
    this.scheduled = false;
    if (this.state !== 'running' || this.cycling) return;
    this.cycling = true;
    try {
      if (this.batch.length > 0) this.flushBatch();
      if (this.reads.hasBatch) this.reads.flush((context) => this.core.readIndex(context));
      while (this.state === 'running' && this.core.hasReady()) {
        const ready = this.core.ready();
        // Nothing below calls into the core before `advance`: a Ready is taken and returned
        // in one step, and its work is started right after, with no await in between.
        this.core.advance(ready);
        this.process(ready);
      }
    } catch (error) {
      this.fail(new RaftNodeError(`node ${this.id}: the ready loop failed`, { cause: error }));
    } finally {
      this.cycling = false;
    }
  };

  private process(ready: Ready): void {
    if (ready.hardState !== undefined) this.noteHardState(ready.hardState);
    if (ready.softState !== undefined) this.noteSoftState(ready.softState);
    const messages = ready.messages;
    for (let i = 0; i < messages.length; i++) this.send(messages[i]!);
    for (const readState of ready.readStates) this.reads.confirmed(readState.context, readState.index, this.applier.applied);
    let batch: LogWrite | undefined;
    if (ready.hardState !== undefined || ready.entries.length > 0 || ready.snapshot !== undefined) {
      batch = { installSnapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState };
      if (ready.snapshot !== undefined) this.snapshotFloor = Math.max(this.snapshotFloor, ready.snapshot.meta.index);
      this.metrics.writes++;
    }
    this.writes.push(batch, () => this.persisted(ready));
  }

  /** Runs once the Ready's writes (and all earlier ones) are durable. */
  private persisted(ready: Ready): void {
    if (this.state !== 'running') return;
    if (ready.seq !== 0) this.core.persisted(ready.seq);
    const after = ready.messagesAfterPersist;
    for (let i = 0; i < after.length; i++) this.send(after[i]!);
    if (ready.committedEntries.length > 0 || ready.snapshot !== undefined) {
      this.applier.enqueue(ready.snapshot, ready.committedEntries, ready.confStates);
    }
    this.schedule();
  }

  private send(message: Message): void {
    this.metrics.messagesSent++;
    try {
      this.transport.send(message);
    } catch (error) {
      // `send` must not throw (a lost message is Raft's normal weather); one that does is
      // reported, and the message counts as lost.
      this.emitError(new RaftNodeError(`transport.send threw for a ${message.type} to ${message.to}`, { cause: error }));
    }
  }

  private onApplied(index: number): void {
    if (this.state !== 'running') return;
    this.core.appliedTo(index);
    this.confs.changed(this.applier.conf);
    this.reads.applied(index);
    this.schedule();
  }

  private saveSnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    if (this.state !== 'running' || index <= this.snapshotFloor) return;
    this.snapshotFloor = index;
    this.metrics.writes++;
    this.writes.push({ saveSnapshot: snapshot, compactTo: Math.max(0, index - this.keepEntries) }, () => {
      if (this.state !== 'running') return;
      if (index === this.snapshotFloor) this.core.compact(snapshot, this.keepEntries);
      this.metrics.snapshotsTaken++;
      this.events.emit('snapshotTaken', { index, term, bytes: snapshot.data.length }, this.listenerError);
      this.schedule();
    });
  }

  private noteHardState(hardState: HardState): void {
    if (hardState.term !== this.term) {
      const previous = this.term;
      this.term = hardState.term;
      this.events.emit('termChanged', { term: this.term, previous }, this.listenerError);
    }
    if (hardState.commit > this.commit) {
      this.commit = hardState.commit;
      if (this.events.has('committed')) this.events.emit('committed', { index: this.commit }, this.listenerError);
    }
  }

  private noteSoftState(soft: SoftState): void {
    if (soft.role !== this.currentRole) {
      const previous = this.currentRole;
      this.currentRole = soft.role;
      this.events.emit('roleChanged', { role: soft.role, previous, term: this.term }, this.listenerError);
    }
    if (soft.lead !== this.lead) {
      const previous = this.lead;
      this.lead = soft.lead;
      this.events.emit('leaderChanged', { leader: soft.lead, previous, term: this.term }, this.listenerError);
      this.leaders.changed(soft.lead);
    }
  }

  // --- failure and shutdown ----------------------------------------------------------------

  private emitError(error: Error, fatal = false): void {
    this.events.emit('error', { error, fatal }, () => {
      // A throwing error listener has nowhere left to report to.
    });
  }

  private readonly listenerError = (error: unknown): void => this.emitError(toError(error));

  /** Stops the node for good: nothing it has not made durable is acknowledged. */
  private fail(error: Error): void {
    if (this.state !== 'running' && this.state !== 'created') return;
    this.emitError(error, true);
    this.stopping ??= this.shutdown('failed', new StoppedError(`node ${this.id} stopped: ${error.message}`, { cause: error }));
  }

  private async shutdown(state: 'stopped' | 'failed', error: StoppedError): Promise<void> {
    const wasStarted = this.state !== 'created';
    this.state = state;
    if (this.tickHandle !== undefined) this.clock.clearTimeout(this.tickHandle);
    this.tickHandle = undefined;
    this.writes.halt();
    this.batch.clear();
    this.applier.stop();
    this.proposals.failAll(error);
    this.reads.failAll(error);
    this.leaders.failAll(error);
    this.confs.failAll(error);
    this.memberClient.failAll(error);
    if (wasStarted) await this.transport.close().catch((e: unknown) => this.emitError(toError(e)));
    await this.writes.settled();
    await this.log.close().catch((e: unknown) => this.emitError(toError(e)));
  }
}

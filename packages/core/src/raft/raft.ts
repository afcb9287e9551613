/**
 * The Raft state of one node and its transitions. Terms are handled once, in `step`; each
 * role's behaviour lives in its own step function (follower.ts, leader.ts), swapped in by
 * `becomeX`. Elections are in election.ts, the read lease in lease.ts, replication sends in
 * replication.ts.
 */
import type { ConfState, Entry, Message, NodeId, ReadState, Rejection, Role, Snapshot } from './types.ts';
import type { RaftRestore } from './contract.ts';
import { decodeConfEntry, encodeConfEntry } from './conf-change-codec.ts';
import { applyConfChange, emptyConfState, storeOf, storeTag } from './confchange.ts';
import { stepCandidate, stepFollower, type IncomingSnapshot } from './follower.ts';
import { stepLeader, transferLeadership } from './leader.ts';
import { RaftLog, entryBytes } from './log.ts';
import type { ResolvedOptions } from './options.ts';
import { ReadOnly } from './read-only.ts';
import { bcastAppend, bcastHeartbeat, releasePendingReads, sendTimeoutNow } from './replication.ts';
import { ProgressTracker } from './tracker.ts';
import { validateMessage } from './validate.ts';
import { RaftRestoreError } from './errors.ts';
import { handleVote, hup, tickElection } from './election.ts';
import { recordAppendTick } from './lease.ts';

type StepFn = (r: Raft, m: Message) => Rejection | undefined;

export interface PendingRead {
  readonly from: NodeId;
  readonly context: Uint8Array;
}

/**
 * How far one message may move this node's term. Legitimate jumps are elections this node
 * missed; far larger ones are hostile, and a term pushed to the top of the number range would
 * leave no term to campaign in (the encoder stops at 2^53 − 1).
 */
const MAX_TERM_JUMP = 2 ** 20;

/**
 * The same for a leader outside this node's configuration: a few steps at a time, enough for a
 * leader added by a change this node has not applied yet, never a leap.
 */
const MAX_TERM_JUMP_NON_MEMBER = 8;

export class Raft {
  readonly id: NodeId;
  /** This node's store identity (HardState.store); undefined when it is not tracked. */
  readonly storeId: string | undefined;
  /** Its digest, as answers carry it (0: none). */
  readonly storeTag: number;
  /**
   * Ticks since this node restarted, up to an election timeout. For its first election timeout
   * a node that restarts with a term (it may have acknowledged a leader before) acts as if it
   * had just heard from that leader: a vote granted at once could elect a new leader while the
   * old one still counts the acknowledgement from before the restart in its lease. A node that
   * starts from nothing acknowledged nothing.
   */
  ticksSinceStart: number;
  term = 0;
  vote: NodeId = '';
  lead: NodeId = '';
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Ticks since this node became leader: the leader's clock for its read lease. */
  leaderTicks = 0;
  /**
   * Lease reads: runs of entries this leader appended, each the first index appended at a
   * leader tick. Any `app` carrying an entry (or a commit index reaching it) was sent no
   * earlier than that tick. Runs too old to extend the lease are dropped.
   */
  appendTicks: { index: number; tick: number }[] = [];
  /** A TimeoutNow went out this term: voters may disregard their lease, so ours is void. */
  leaseVoid = false;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId = '';
  /** TimeoutNow arrived while committed configuration changes were unapplied: campaign once they are. */
  timeoutNowPending = false;
  /** Index of the latest config entry a leader appended; a new one waits until it is applied. */
  pendingConfIndex = 0;
  /** Bytes of entries this leader appended that are not committed yet. */
  uncommittedSize = 0;
  readonly readOnly = new ReadOnly();
  /** ReadIndex requests a new leader holds until it commits an entry of its term. */
  pendingReads: PendingRead[] = [];
  readStates: ReadState[] = [];
  /** Messages that may be sent at once. */
  msgs: Message[] = [];
  /**
   * Leader: entries were proposed since the last broadcast. Proposals only append; the
   * `app` to each follower goes out once, when the Ready is taken (`flushAppends`), carrying
   * every entry proposed meanwhile instead of one message per proposal.
   */
  appendPending = false;
  /** Messages that may be sent only once the current writes are durable. */
  msgsAfterPersist: Message[] = [];
  incomingSnapshot: IncomingSnapshot | undefined;
  /** The configuration after every config entry handed out so far (ahead of the applied one). */
  confAtHandout: ConfState;
  /** Configurations handed out in Ready.confStates and waiting for `appliedTo`. */
  pendingConfs: { index: number; conf: ConfState }[] = [];
  private stepRole: StepFn = stepFollower;

  constructor(
    readonly cfg: ResolvedOptions,
    restore: RaftRestore,
  ) {
    this.id = cfg.id;
    this.storeId = restore.hardState?.store;
    this.storeTag = this.storeId === undefined ? 0 : storeTag(this.storeId);
    this.ticksSinceStart = (restore.hardState?.term ?? 0) > 0 ? 0 : cfg.electionTicks;
    this.log = new RaftLog(restore.snapshot, restore.entries ?? []);
    this.trk = new ProgressTracker(cfg.maxInflightMsgs, cfg.maxInflightBytes);
    const hs = restore.hardState;
    const snapIndex = restore.snapshot?.meta.index ?? 0;
    checkRestore(restore, this.log);
    if (hs !== undefined) {
      this.term = hs.term;
      this.vote = hs.vote;
      this.log.commitTo(hs.commit);
    }
    const applied = Math.min(Math.max(restore.applied ?? snapIndex, snapIndex), this.log.committed);
    this.log.applying = applied;
    this.log.applied = applied;
    let conf = restore.snapshot?.meta.conf ?? restore.bootstrap ?? emptyConfState;
    // Config entries already applied before the restart are in effect again.
    for (let i = snapIndex + 1; i <= applied; i++) {
      const e = this.log.entry(i);
      if (e?.type === 'config') conf = this.confAfter(conf, e) ?? conf;
    }
    this.confAtHandout = conf;
    this.trk.applyConf(conf, this.log.lastIndex() + 1);
    this.becomeFollower(this.term, '');
  }

  // ---- messages ------------------------------------------------------------------------

  send(m: Message): void {
    if (m.type === 'voteResp' || m.type === 'appResp' || (m.type === 'snapResp' && m.done)) {
      this.msgsAfterPersist.push(m);
    } else {
      this.msgs.push(m);
    }
  }

  step(m: Message): Rejection | undefined {
    const invalid = validateMessage(this, m);
    if (invalid !== undefined) return invalid;
    return this.stepValidated(m);
  }

  /** The single input path once a message is known well-formed (also for local messages). */
  stepValidated(m: Message): Rejection | undefined {
    if (m.type === 'prop' || m.type === 'readIndex' || m.type === 'transferLeader') {
      // Forwarded requests carry no term semantics: any member may ask whoever leads now.
      return this.stepRole(this, m);
    }
    if (m.term > this.term) {
      const refused = this.refuseTermMove(m);
      if (refused !== undefined) return refused;
      if (m.type === 'vote') {
        const heardRecently = this.lead !== '' || this.ticksSinceStart < this.cfg.electionTicks;
        const inLease = this.cfg.checkQuorum && heardRecently && this.electionElapsed < this.cfg.electionTicks;
        // Thesis §4.2.3: a node that hears from a leader disregards disruptive candidates.
        if (inLease && !m.transfer) return undefined;
      }
      if (m.type === 'vote' && m.pre) {
        // A PreVote request carries the term the candidate would use; ours stays.
      } else if (m.type === 'voteResp' && m.pre && !m.reject) {
        // A granted PreVote echoes the future term; we move to it only by winning.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, '');
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'app' || m.type === 'heartbeat')) {
        // A stale leader cut off by a partition learns the new term from this answer.
        this.send({ type: 'appResp', from: this.id, to: m.from, term: this.term, index: 0, reject: false, hintIndex: 0, hintTerm: 0, storeTag: this.storeTag });
      } else if (m.type === 'vote' && m.pre) {
        this.send({ type: 'voteResp', from: this.id, to: m.from, term: this.term, pre: true, reject: true, storeTag: this.storeTag });
      }
      return { reason: 'staleTerm', detail: `${m.type} of term ${m.term} below ${this.term}` };
    }
    if (m.type === 'vote') {
      handleVote(this, m);
      return undefined;
    }
    return this.stepRole(this, m);
  }

  /**
   * Why a message may not move this node's term (to `m.term`, above its own), if it may not:
   * a jump too large to be honest, or — once this node knows its configuration — a message
   * from a node outside it, other than a leader's own traffic or a candidate's request (a
   * leader or voter added in a change this node has not applied yet must still reach it;
   * validation already refused a candidate outside it while a leader is heard).
   */
  private refuseTermMove(m: Message): Rejection | undefined {
    const jump = m.term - this.term;
    const member = this.trk.progress.size === 0 || this.trk.isMember(m.from) || m.type === 'vote';
    const leaderTraffic = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap';
    if (!member && !leaderTraffic) return { reason: 'nonMember', detail: `${m.type} of term ${m.term} from ${m.from}, who is not a member` };
    const limit = member ? MAX_TERM_JUMP : MAX_TERM_JUMP_NON_MEMBER;
    if (jump > limit) return { reason: 'impossibleField', detail: `${m.type} from ${m.from} would move the term from ${this.term} to ${m.term}` };
    return undefined;
  }

  /**
   * Whether this node may vote and campaign: it is bound to the store it has now (see
   * ConfState.stores). A node that does not track its store, or a configuration that binds
   * nobody, sets no limit; a tracked store with no configuration at all is not admitted
   * either, since it cannot tell a brand-new node from one that forgot.
   */
  admitted(): boolean {
    if (this.storeId === undefined) return true;
    const conf = this.trk.conf;
    if (conf.voters.length === 0) return false;
    return conf.stores === undefined || storeOf(conf, this.id) === this.storeId;
  }

  // ---- time ----------------------------------------------------------------------------

  tick(): void {
    if (this.ticksSinceStart < this.cfg.electionTicks) this.ticksSinceStart++;
    if (this.role === 'leader') this.tickHeartbeat();
    else tickElection(this);
  }

  private tickHeartbeat(): void {
    this.leaderTicks++;
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        if (!this.trk.quorumActive(this.id)) {
          this.becomeFollower(this.term, '');
          return;
        }
        for (const [id, pr] of this.trk.progress) pr.recentActive = id === this.id;
      }
      // Thesis §3.10: a transfer that did not finish within an election timeout is abandoned.
      if (this.leadTransferee !== '') this.leadTransferee = '';
      if (!this.trk.isVoter(this.id)) {
        this.handOver();
        if (this.role !== 'leader') return;
      }
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this);
    }
  }

  private resetRandomizedElectionTimeout(): void {
    const e = this.cfg.electionTicks;
    const r = this.cfg.random();
    this.randomizedElectionTimeout = e + Math.min(e - 1, Math.max(0, Math.floor(r * e)));
  }

  // ---- roles ---------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = '';
    }
    this.lead = '';
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = '';
    this.timeoutNowPending = false;
    this.trk.resetVotes();
    this.trk.resetProgress(this.log.lastIndex() + 1);
    const self = this.trk.progress.get(this.id);
    if (self !== undefined) self.match = Math.min(this.log.durable, this.log.lastIndex());
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.leaderTicks = 0;
    this.appendTicks = [];
    this.leaseVoid = false;
    this.readOnly.reset();
    this.pendingReads = [];
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.stepRole = stepFollower;
    this.lead = lead;
    this.role = 'follower';
  }

  becomePreCandidate(): void {
    this.stepRole = stepCandidate;
    this.trk.resetVotes();
    this.lead = '';
    this.role = 'preCandidate';
  }

  becomeCandidate(): void {
    this.reset(this.term + 1);
    this.stepRole = stepCandidate;
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    this.reset(this.term);
    this.stepRole = stepLeader;
    this.lead = this.id;
    this.role = 'leader';
    this.trk.progress.get(this.id)?.becomeReplicate();
    // Conservative: an unapplied config entry may sit anywhere in the log we inherited.
    this.pendingConfIndex = this.log.lastIndex();
    // §5.4.2 / §8: an entry of the new term lets earlier entries commit.
    const conf = this.trk.conf;
    if (this.log.lastIndex() === 0 && conf.stores !== undefined) {
      // The first leader of a cluster its founders settled records their configuration as its
      // first entry (a change that changes nothing): the founders hold it only in a snapshot at
      // index 0, which is never sent, and a node that replays the log from its start — one that
      // joined later, or a founder that lost its state — must learn it from the log.
      this.pendingConfIndex = this.appendEntry('config', encodeConfEntry({ changes: [], transition: 'auto', context: new Uint8Array(0) }, conf));
    } else {
      this.appendEntry('noop', new Uint8Array(0));
    }
    bcastAppend(this);
  }

  // ---- log -----------------------------------------------------------------------------

  /** Leader: append an entry of this term; its index, or 0 when the uncommitted bound refuses it. */
  appendEntry(type: Entry['type'], data: Uint8Array): number {
    const bytes = data.length;
    const max = this.cfg.maxUncommittedEntriesSize;
    if (max > 0 && this.uncommittedSize > 0 && bytes > 0 && this.uncommittedSize + bytes > max) return 0;
    const index = this.log.lastIndex() + 1;
    this.log.appendOne({ term: this.term, index, type, data });
    if (this.cfg.readOnly === 'lease') recordAppendTick(this, index);
    this.uncommittedSize += bytes;
    return index;
  }

  /** Leader: advance commit to the quorum's match if that entry is of this term (§5.4.2). */
  maybeCommit(): boolean {
    const index = this.trk.committed();
    if (index <= this.log.committed) return false;
    if (this.log.term(index) !== this.term) return false;
    const before = this.log.committed;
    if (!this.log.commitTo(index)) return false;
    for (let i = before + 1; i <= this.log.committed; i++) {
      const e = this.log.entry(i);
      if (e !== undefined) this.uncommittedSize = Math.max(0, this.uncommittedSize - entryBytes(e));
    }
    return true;
  }

  /** Leader: a commit advance is announced to followers and may release waiting reads. */
  afterCommit(): void {
    releasePendingReads(this);
    bcastAppend(this);
  }

  /** Leader: entries up to `index` are durable locally. */
  selfPersisted(): void {
    if (this.role !== 'leader') return;
    const self = this.trk.progress.get(this.id);
    if (self === undefined) return;
    if (self.maybeUpdate(Math.min(this.log.durable, this.log.lastIndex())) && this.maybeCommit()) this.afterCommit();
  }

  // ---- configuration -------------------------------------------------------------------

  /** The configuration produced by a config entry on top of `conf`, or undefined if invalid. */
  confAfter(conf: ConfState, entry: Entry): ConfState | undefined {
    try {
      const { change, result } = decodeConfEntry(entry.data);
      if (result !== undefined) return result;
      const applied = applyConfChange(conf, change);
      return applied.ok ? applied.conf : undefined;
    } catch {
      return undefined;
    }
  }

  /** A configuration takes effect (its entry was applied, or a snapshot was installed). */
  applyConf(conf: ConfState): void {
    this.trk.applyConf(conf, this.log.lastIndex() + 1);
    if (this.role !== 'leader') {
      if (this.timeoutNowPending) hup(this, true);
      return;
    }
    if (this.leadTransferee !== '' && !this.trk.isVoter(this.leadTransferee)) this.leadTransferee = '';
    if (this.maybeCommit()) this.afterCommit();
    else bcastAppend(this);
    if (!this.trk.isVoter(this.id)) this.handOver();
  }

  /**
   * The founders of a new cluster settled its first configuration (`snapshot`, at index 0):
   * only a node with no configuration and an empty log takes it. The driver persists it like a
   * snapshot installed from a leader.
   */
  bootstrap(snapshot: Snapshot): boolean {
    if (snapshot.meta.index !== 0 || this.trk.progress.size > 0 || this.log.lastIndex() > 0 || this.log.snapshot !== undefined) return false;
    this.log.restore(snapshot);
    this.confAtHandout = snapshot.meta.conf;
    this.pendingConfs = [];
    this.trk.applyConf(snapshot.meta.conf, this.log.lastIndex() + 1);
    return true;
  }

  /** Install a snapshot from the leader; false if it is stale or the log already holds it. */
  restore(snapshot: Snapshot): boolean {
    const meta = snapshot.meta;
    if (meta.index <= this.log.committed) return false;
    if (this.log.matchTerm(meta.index, meta.term)) {
      this.log.commitTo(meta.index);
      return false;
    }
    this.log.restore(snapshot);
    this.confAtHandout = meta.conf;
    this.pendingConfs = [];
    this.trk.applyConf(meta.conf, this.log.lastIndex() + 1);
    return true;
  }

  /**
   * Leader removed or demoted by an applied change (thesis §4.2.2): it keeps leading, without
   * counting itself, until a remaining voter takes over. Stepping down at once could strand
   * the others: those that have not learned that the change committed still count this node
   * in their configuration, and it would refuse them its vote whenever its log is longer,
   * while never campaigning itself. So it hands leadership to the most up-to-date remaining
   * voter (thesis §3.10): it brings that voter up to date, sends it TimeoutNow and steps
   * down. From then on its log is no longer than the target's, so its vote no longer blocks
   * the target (and the target may campaign by itself should TimeoutNow be lost). A target
   * not brought up to date within an election timeout is given up for the most up-to-date
   * voter then.
   */
  private handOver(): void {
    if (this.leadTransferee !== '') return;
    let target: NodeId = '';
    let best = -1;
    for (const id of this.trk.voterIds()) {
      if (!this.trk.conf.voters.includes(id)) continue;
      const match = this.trk.progress.get(id)?.match ?? 0;
      if (match > best) {
        best = match;
        target = id;
      }
    }
    if (target !== '') transferLeadership(this, target);
  }

  /** Leader: the transfer target is up to date, so tell it to campaign now. */
  maybeFinishTransfer(to: NodeId): void {
    const pr = this.trk.progress.get(to);
    if (this.leadTransferee === to && pr !== undefined && pr.match === this.log.lastIndex()) sendTimeoutNow(this, to);
  }
}

/**
 * State no correct LogStore can produce. Starting from it could make this node vote as if it
 * had never seen entries it acknowledged (§5.4.1), so it is refused.
 */
function checkRestore(restore: RaftRestore, log: RaftLog): void {
  const hs = restore.hardState ?? { term: 0, vote: '', commit: 0 };
  for (const [name, v] of [['term', hs.term], ['commit', hs.commit]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RaftRestoreError(`hard state ${name} ${v} is not a non-negative integer`);
  }
  if (typeof hs.vote !== 'string') throw new RaftRestoreError('hard state vote is not a node id');
  if (hs.commit > log.lastIndex()) {
    throw new RaftRestoreError(`commit index ${hs.commit} beyond the last entry ${log.lastIndex()}: committed entries are missing`);
  }
  let prev = log.term(log.firstIndex() - 1) ?? 0;
  for (let i = log.firstIndex(); i <= log.lastIndex(); i++) {
    const t = log.term(i) ?? 0;
    if (t < prev) throw new RaftRestoreError(`entry ${i} has term ${t} below the entry before it`);
    prev = t;
  }
  if (log.lastTerm() > hs.term) {
    throw new RaftRestoreError(`log holds term ${log.lastTerm()} but the current term is ${hs.term}`);
  }
}

/**
 * RawNode: the pure Raft state machine behind the {@link RaftCore} contract. It turns the
 * Raft state (raft.ts) into Readys, numbers writes, and holds back every message that
 * depends on a write until the driver reports that write durable.
 */
import type { ConfChange, ConfState, HardState, Message, Snapshot, SoftState } from './types.ts';
import { emptyHardState } from './types.ts';
import type { ProgressStatus, ProposeOutcome, RaftCore, RaftOptions, RaftRestore, RaftStatus, Ready } from './contract.ts';
import { encodeConfChange } from './conf-change-codec.ts';
import { maybeAutoLeave, proposeConfChange, proposeNormal, transferLeadership } from './leader.ts';
import { RaftRestoreError, RaftUsageError } from './errors.ts';
import { resolveOptions } from './options.ts';
import { Raft } from './raft.ts';
import { flushAppends, leaderReadIndex, readPending } from './replication.ts';
import { hup } from './election.ts';

export { RaftRestoreError, RaftUsageError };

interface Held {
  readonly needSeq: number;
  readonly message: Message;
}

export class RawNode implements RaftCore {
  readonly #raft: Raft;
  #lastSeq = 0;
  #persistedSeq = 0;
  #prevHardState: HardState;
  #prevSoftState: SoftState;
  /** Messages to peers waiting for an earlier write to become durable. */
  #held: Held[] = [];
  /** Messages whose writes became durable; sent with the next Ready. */
  #released: Message[] = [];
  /** Our own votes, counted once the write carrying them is durable. */
  #heldLocal: Held[] = [];

  constructor(options: RaftOptions, restore: RaftRestore = {}) {
    this.#raft = new Raft(resolveOptions(options), restore);
    this.#prevHardState = restore.hardState ?? emptyHardState;
    this.#prevSoftState = { role: this.#raft.role, lead: this.#raft.lead };
  }

  tick(): void {
    this.#raft.tick();
    // A leave refused earlier (e.g. during a transfer) is retried.
    maybeAutoLeave(this.#raft);
  }

  step(message: Message): ReturnType<RaftCore['step']> {
    return this.#raft.step(message);
  }

  campaign(): void {
    hup(this.#raft, false);
  }

  propose(data: Uint8Array): ProposeOutcome {
    const r = this.#raft;
    if (r.role === 'leader') return proposeNormal(r, data);
    return this.#forward({ type: 'normal', data });
  }

  proposeConfChange(change: ConfChange): ProposeOutcome {
    const r = this.#raft;
    if (r.role === 'leader') return proposeConfChange(r, change);
    return this.#forward({ type: 'config', data: encodeConfChange(change) });
  }

  #forward(entry: { type: 'normal' | 'config'; data: Uint8Array }): ProposeOutcome {
    const r = this.#raft;
    if (r.trk.progress.size > 0 && !r.trk.isMember(r.id)) return { ok: false, reason: 'removed', leader: r.lead };
    if (r.lead === '') return { ok: false, reason: 'noLeader', leader: '' };
    if (r.cfg.proposalsWithoutLeader === 'reject') return { ok: false, reason: 'notLeader', leader: r.lead };
    const index = r.log.lastIndex() + 1;
    r.send({ type: 'prop', from: r.id, to: r.lead, term: r.term, entries: [{ term: r.term, index, ...entry }] });
    return { ok: true, forwardedTo: r.lead };
  }

  bootstrap(snapshot: Snapshot): void {
    if (!this.#raft.bootstrap(snapshot)) {
      throw new RaftUsageError('bootstrap: this node already has a configuration or a log (or the snapshot is not at index 0)');
    }
  }

  readIndex(context: Uint8Array): void {
    const r = this.#raft;
    // Followers echo only the context, so it is all that ties an acknowledgement to its round.
    if (context.byteLength === 0) throw new RaftUsageError('readIndex context must not be empty');
    if (r.role === 'leader' && readPending(r, context)) {
      throw new RaftUsageError('a readIndex with this context is pending; contexts must be unique');
    }
    if (r.role === 'leader') leaderReadIndex(r, r.id, context);
    else if (r.lead !== '') r.send({ type: 'readIndex', from: r.id, to: r.lead, term: r.term, context });
  }

  transferLeadership(to: string): void {
    const r = this.#raft;
    if (r.role === 'leader') transferLeadership(r, to);
    else if (r.lead !== '') r.send({ type: 'transferLeader', from: r.id, to: r.lead, term: r.term, target: to });
  }

  reportUnreachable(peer: string): void {
    const pr = this.#raft.role === 'leader' ? this.#raft.trk.progress.get(peer) : undefined;
    if (pr?.state === 'replicate') pr.becomeProbe();
  }

  #hardState(): HardState {
    const r = this.#raft;
    return r.storeId === undefined
      ? { term: r.term, vote: r.vote, commit: r.log.committed }
      : { term: r.term, vote: r.vote, commit: r.log.committed, store: r.storeId };
  }

  /** Compared field by field: `hasReady` runs after every input and must not allocate. */
  #hardStateChanged(): boolean {
    const r = this.#raft;
    const prev = this.#prevHardState;
    return r.term !== prev.term || r.vote !== prev.vote || r.log.committed !== prev.commit;
  }

  /** Entries are handed out for applying only once committed and durable on this node. */
  #applyLimit(): number {
    const r = this.#raft;
    const log = r.log;
    return Math.min(log.committed, log.durable);
  }

  hasReady(): boolean {
    const r = this.#raft;
    const log = r.log;
    return (
      r.msgs.length > 0 ||
      r.msgsAfterPersist.length > 0 ||
      this.#released.length > 0 ||
      r.readStates.length > 0 ||
      log.pendingSnapshot !== undefined ||
      log.handedOff < log.lastIndex() ||
      this.#hardStateChanged() ||
      r.role !== this.#prevSoftState.role ||
      r.lead !== this.#prevSoftState.lead ||
      this.#applyLimit() > log.applying
    );
  }

  ready(): Ready {
    const r = this.#raft;
    flushAppends(r);
    const log = r.log;
    const entries = log.unstableEntries();
    const snapshot = log.pendingSnapshot;
    const hardStateChanged = this.#hardStateChanged();
    const hardState = hardStateChanged ? this.#hardState() : this.#prevHardState;
    const hasWrites = entries.length > 0 || snapshot !== undefined || hardStateChanged;
    const seq = hasWrites ? ++this.#lastSeq : 0;
    if (hasWrites) {
      log.markHandedOff(seq);
      log.pendingSnapshot = undefined;
      this.#prevHardState = hardState;
    }

    const committedEntries = log.nextToApply(this.#applyLimit(), r.cfg.maxCommittedSizePerReady);
    const confStates: ConfState[] = [];
    for (const e of committedEntries) {
      log.applying = e.index;
      if (e.type !== 'config') continue;
      const conf = r.confAfter(r.confAtHandout, e);
      if (conf === undefined) continue;
      r.confAtHandout = conf;
      r.pendingConfs.push({ index: e.index, conf });
      confStates.push(conf);
    }

    const messages = this.#released.length === 0 ? r.msgs : this.#released.concat(r.msgs);
    this.#released = [];
    r.msgs = [];
    const messagesAfterPersist: Message[] = [];
    const needSeq = hasWrites ? seq : this.#lastSeq;
    const after = r.msgsAfterPersist;
    for (let i = 0; i < after.length; i++) {
      const message = after[i]!;
      if (message.to === r.id) this.#heldLocal.push({ needSeq, message });
      else if (needSeq <= this.#persistedSeq) messages.push(message);
      else if (hasWrites) messagesAfterPersist.push(message);
      else this.#held.push({ needSeq, message });
    }
    r.msgsAfterPersist = [];

    const readStates = r.readStates;
    r.readStates = [];
    let softState: SoftState | undefined;
    if (r.role !== this.#prevSoftState.role || r.lead !== this.#prevSoftState.lead) {
      softState = { role: r.role, lead: r.lead };
      this.#prevSoftState = softState;
    }
    // Every field present (undefined when absent), so every Ready has one shape.
    const ready: Ready = {
      seq,
      softState,
      hardState: hasWrites && hardStateChanged ? hardState : undefined,
      entries,
      snapshot,
      messages,
      messagesAfterPersist,
      committedEntries,
      readStates,
      confStates,
    };
    return ready;
  }

  /**
   * The driver started the work of `ready` (everything in it was taken over by `ready()`
   * already); local acknowledgements whose writes are durable are processed now.
   */
  advance(_ready: Ready): void {
    this.#stepHeldLocal();
  }

  persisted(seq: number): void {
    if (!Number.isInteger(seq) || seq > this.#lastSeq) {
      throw new RaftUsageError(`persisted(${seq}) but the last write handed out is ${this.#lastSeq}`);
    }
    if (seq <= this.#persistedSeq) return;
    this.#persistedSeq = seq;
    this.#raft.log.persistedTo(seq);
    this.#raft.selfPersisted();
    const still: Held[] = [];
    for (const h of this.#held) {
      if (h.needSeq <= seq) this.#released.push(h.message);
      else still.push(h);
    }
    this.#held = still;
    this.#stepHeldLocal();
  }

  #stepHeldLocal(): void {
    const held = this.#heldLocal;
    if (held.length === 0 || held[0]!.needSeq > this.#persistedSeq) return;
    const ready = held.filter((h) => h.needSeq <= this.#persistedSeq);
    this.#heldLocal = held.filter((h) => h.needSeq > this.#persistedSeq);
    for (const h of ready) this.#raft.stepValidated(h.message);
  }

  compact(snapshot: Snapshot, keepEntries = 0): void {
    const log = this.#raft.log;
    const { index, term } = snapshot.meta;
    if (!Number.isInteger(keepEntries) || keepEntries < 0) throw new RaftUsageError('keepEntries must be ≥ 0');
    if (index > log.applied) throw new RaftUsageError(`snapshot at ${index} beyond applied index ${log.applied}`);
    const known = log.term(index);
    if (known !== undefined && known !== term) {
      throw new RaftUsageError(`snapshot at ${index} has term ${term}, the log has ${known}`);
    }
    if (index <= (log.snapshot?.meta.index ?? 0)) return;
    log.compact(snapshot, keepEntries);
  }

  appliedTo(index: number): void {
    const r = this.#raft;
    const log = r.log;
    log.applied = Math.max(log.applied, Math.min(index, log.applying));
    while (r.pendingConfs.length > 0 && (r.pendingConfs[0] as { index: number }).index <= log.applied) {
      const next = r.pendingConfs.shift() as { conf: ConfState };
      r.applyConf(next.conf);
    }
    maybeAutoLeave(r);
  }

  status(): RaftStatus {
    const r = this.#raft;
    const log = r.log;
    let progress: Record<string, ProgressStatus> | undefined;
    if (r.role === 'leader') {
      progress = {};
      for (const [id, pr] of r.trk.progress) {
        progress[id] = {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          inflight: pr.inflights.count,
          recentActive: pr.recentActive,
          learner: pr.learner,
        };
      }
    }
    return {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      commit: log.committed,
      applied: log.applied,
      firstIndex: log.firstIndex(),
      lastIndex: log.lastIndex(),
      lastTerm: log.lastTerm(),
      conf: r.trk.conf,
      ...(progress === undefined ? {} : { progress }),
      leadTransferee: r.leadTransferee,
    };
  }
}

/**
 * The cluster's side of join and leave requests (`member` messages). The leader reserves a
 * joiner's id through the replicated log — an `addLearner` whose context carries the request's
 * nonce — so two nodes asking for one id never both get it, then promotes the learner once it
 * has caught up. A node asking to leave is removed. Followers forward requests to their leader
 * and relay its answers back.
 */
import { decodeConfChange } from '../raft/conf-change-codec.ts';
import type { ProposeOutcome, RaftStatus } from '../raft/contract.ts';
import {
  memberStatuses,
  memberWishes,
  type ConfChange,
  type ConfChangeSingle,
  type ConfState,
  type Entry,
  type MemberRequest,
  type MemberResponse,
  type MemberStatus,
  type MemberWish,
  type Message,
  type NodeId,
  type Rejection,
  type Snapshot,
} from '../raft/types.ts';

export interface MembershipHost {
  readonly id: NodeId;
  status(): RaftStatus;
  proposeConfChange(change: ConfChange): ProposeOutcome;
  transferLeadership(to: NodeId): void;
  send(message: Message): void;
}

/**
 * A learner is promoted once its log is within this many entries of the leader's: close enough
 * that adding it to the quorum does not stall commits while it fetches the rest.
 */
export const PROMOTE_WITHIN_ENTRIES = 16;

/** `W`, `J`, version 1, then the nonce: marks a change made for a join request. */
const CONTEXT_TAG = [0x57, 0x4a, 0x01] as const;

export function joinContext(nonce: Uint8Array): Uint8Array {
  const context = new Uint8Array(CONTEXT_TAG.length + nonce.length);
  context.set(CONTEXT_TAG, 0);
  context.set(nonce, CONTEXT_TAG.length);
  return context;
}

/** The nonce of a join request recorded in a change's context, or undefined for other changes. */
export function nonceOfContext(context: Uint8Array): Uint8Array | undefined {
  if (context.length <= CONTEXT_TAG.length) return undefined;
  for (let i = 0; i < CONTEXT_TAG.length; i++) if (context[i] !== CONTEXT_TAG[i]) return undefined;
  return context.subarray(CONTEXT_TAG.length);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The role `id` has in `conf` (a joint configuration counts both halves). */
export function roleIn(conf: ConfState, id: NodeId): 'voter' | 'learner' | undefined {
  if (conf.voters.includes(id) || conf.votersOutgoing.includes(id)) return 'voter';
  if (conf.learners.includes(id) || conf.learnersNext.includes(id)) return 'learner';
  return undefined;
}

interface Proposed {
  readonly nonce: Uint8Array;
  readonly index: number;
  readonly wish: MemberWish;
}

export class MemberDesk {
  /** id → nonce of the join request that reserved it, as read from committed `config` entries. */
  readonly #reserved = new Map<NodeId, Uint8Array>();
  /** Changes this node proposed as leader whose entry has not committed yet. */
  readonly #proposed = new Map<NodeId, Proposed>();
  /** Learners that joined to become voters: the leader promotes them once caught up. */
  readonly #promoting = new Map<NodeId, Uint8Array>();

  readonly #host: MembershipHost;

  constructor(host: MembershipHost) {
    this.#host = host;
  }

  /** The nonce of the join request that reserved `id`, while the log since its entry is known. */
  reservedNonce(id: NodeId): Uint8Array | undefined {
    return this.#reserved.get(id)?.slice();
  }

  /** A `member` or `memberResp` message for this node; returns why it was refused, if it was. */
  receive(message: MemberRequest | MemberResponse): Rejection | undefined {
    const status = this.#host.status();
    // A request about another node, or an answer to relay, is taken from members only.
    const forwarded = message.subject !== message.from || message.type === 'memberResp';
    if (forwarded && !isMember(status.conf, message.from)) {
      return { reason: 'nonMember', detail: `${message.from} relays a ${message.type} for ${message.subject} but is not a member` };
    }
    if (message.type === 'memberResp') {
      // An answer from our leader for the node we forwarded for.
      this.#host.send({ ...message, from: this.#host.id, to: message.subject, term: status.term });
      return undefined;
    }
    if (status.role !== 'leader') {
      if (!forwarded && status.lead !== '' && status.lead !== this.#host.id) {
        this.#host.send({ ...message, from: this.#host.id, to: status.lead, term: status.term });
      } else {
        this.#answer(message, 'notLeader', status);
      }
      return undefined;
    }
    this.#answer(message, message.wish === 'leave' ? this.#decideLeave(message, status) : this.#decideJoin(message, status), status);
    return undefined;
  }

  /** Once per tick: promotes caught-up learners; forgets leader-only state after losing leadership. */
  tick(): void {
    if (this.#promoting.size === 0 && this.#proposed.size === 0) return;
    const status = this.#host.status();
    if (status.role !== 'leader') {
      this.#proposed.clear();
      this.#promoting.clear();
      return;
    }
    for (const [id, nonce] of this.#promoting) {
      const role = roleIn(status.conf, id);
      if (role === 'voter' || (role === undefined && !this.#reserved.has(id))) this.#promoting.delete(id);
      else if (role === 'learner' && !this.#proposed.has(id)) this.#maybePromote(id, nonce, status);
    }
  }

  /** Committed entries (and a snapshot installed before them), in order, as the node hands them to the applier. */
  committed(snapshot: Snapshot | undefined, entries: readonly Entry[]): void {
    if (snapshot !== undefined) {
      // Reservations of members removed inside the snapshot's range are void.
      for (const id of this.#reserved.keys()) if (roleIn(snapshot.meta.conf, id) === undefined) this.#reserved.delete(id);
    }
    for (let i = 0; i < entries.length; i++) {
      if (entries[i]!.type === 'config') this.#noteConfig(entries[i]!);
    }
    if (this.#proposed.size === 0) return;
    const last = entries.length > 0 ? entries[entries.length - 1]!.index : (snapshot?.meta.index ?? 0);
    // Whatever committed at a proposed index decided that proposal's fate.
    for (const [id, proposed] of this.#proposed) if (proposed.index <= last) this.#proposed.delete(id);
  }

  #noteConfig(entry: Entry): void {
    let change: ConfChange;
    try {
      change = decodeConfChange(entry.data);
    } catch {
      return; // the applier reports entries that do not decode
    }
    const nonce = nonceOfContext(change.context);
    for (const single of change.changes) {
      if (single.type === 'remove') {
        this.#reserved.delete(single.id);
        this.#promoting.delete(single.id);
      } else if (nonce !== undefined) {
        this.#reserved.set(single.id, nonce.slice());
      }
    }
  }

  #decideJoin(request: MemberRequest, status: RaftStatus): MemberStatus {
    const { subject, nonce } = request;
    const reservedFor = this.#reserved.get(subject);
    const role = roleIn(status.conf, subject);
    // A member that did not join by this request, or an id reserved by another one.
    if (reservedFor !== undefined ? !sameBytes(reservedFor, nonce) : role !== undefined) return 'idTaken';
    const proposed = this.#proposed.get(subject);
    if (proposed !== undefined) return proposed.wish !== 'leave' && sameBytes(proposed.nonce, nonce) ? 'pending' : 'idTaken';
    if (reservedFor === undefined) return this.#propose({ type: 'addLearner', id: subject }, nonce, 'learner');
    if (role === undefined) return 'pending'; // reserved (committed) but not applied here yet
    if (request.wish === 'learner' || role === 'voter') return 'done';
    this.#promoting.set(subject, reservedFor);
    return this.#maybePromote(subject, reservedFor, status);
  }

  #decideLeave(request: MemberRequest, status: RaftStatus): MemberStatus {
    const subject = request.subject;
    if (subject === this.#host.id) {
      // Removing the leader itself risks the stall described in the core's README: hand over first.
      const successor = mostCaughtUpVoter(status, this.#host.id);
      if (successor !== undefined) this.#host.transferLeadership(successor);
      return 'pending';
    }
    if (this.#proposed.has(subject)) return 'pending';
    if (roleIn(status.conf, subject) === undefined) return this.#reserved.has(subject) ? 'pending' : 'done';
    return this.#propose({ type: 'remove', id: subject }, request.nonce, 'leave');
  }

  #maybePromote(id: NodeId, nonce: Uint8Array, status: RaftStatus): MemberStatus {
    const progress = status.progress?.[id];
    if (progress === undefined || progress.match + PROMOTE_WITHIN_ENTRIES < status.lastIndex) return 'pending';
    return this.#propose({ type: 'addVoter', id }, nonce, 'voter');
  }

  #propose(change: ConfChangeSingle, nonce: Uint8Array, wish: MemberWish): MemberStatus {
    const context = change.type === 'remove' ? new Uint8Array(0) : joinContext(nonce);
    const outcome = this.#host.proposeConfChange({ changes: [change], transition: 'auto', context });
    if (outcome.ok) {
      if ('index' in outcome) this.#proposed.set(change.id, { nonce: nonce.slice(), index: outcome.index, wish });
      return 'pending';
    }
    // Another change still pending, a transfer under way...: the requester asks again later.
    return outcome.reason === 'notLeader' || outcome.reason === 'noLeader' ? 'notLeader' : 'pending';
  }

  #answer(request: MemberRequest, status: MemberStatus, core: RaftStatus): void {
    this.#host.send({
      type: 'memberResp',
      from: this.#host.id,
      to: request.from,
      term: core.term,
      subject: request.subject,
      nonce: request.nonce,
      status,
      leader: core.lead,
    });
  }
}

/** The checks the codec makes, for messages that came without it (in-memory transports). */
export function checkMemberMessage(message: MemberRequest | MemberResponse, self: NodeId): Rejection | undefined {
  const impossible = (detail: string): Rejection => ({ reason: 'impossibleField', detail: `${message.type}: ${detail}` });
  if (message.to !== self) return { reason: 'wrongRecipient', detail: `addressed to ${String(message.to)}` };
  if (typeof message.from !== 'string' || message.from === '' || message.from === self) return impossible('bad sender');
  if (typeof message.subject !== 'string' || message.subject === '') return impossible('subject must be a node id');
  if (!Number.isSafeInteger(message.term) || message.term < 0) return impossible('term must be a non-negative integer');
  const nonce: unknown = message.nonce;
  if (!(nonce instanceof Uint8Array) || nonce.length === 0 || nonce.length > 64) return impossible('nonce must be 1..64 bytes');
  if (message.type === 'member') return memberWishes.includes(message.wish) ? undefined : impossible(`unknown wish ${String(message.wish)}`);
  if (!memberStatuses.includes(message.status)) return impossible(`unknown status ${String(message.status)}`);
  return typeof message.leader === 'string' ? undefined : impossible('leader must be a string');
}

function isMember(conf: ConfState, id: NodeId): boolean {
  return roleIn(conf, id) !== undefined;
}

/**
 * The voter other than `self` whose log matches the leader's furthest, among those heard from
 * recently when there are any (a leader's view): the likeliest to take over at once.
 */
export function mostCaughtUpVoter(status: RaftStatus, self: NodeId): NodeId | undefined {
  let best: NodeId | undefined;
  let bestActive = false;
  let bestMatch = -1;
  for (const id of status.conf.voters) {
    const progress = status.progress?.[id];
    if (id === self || progress === undefined) continue;
    const active = progress.recentActive;
    if ((active && !bestActive) || (active === bestActive && progress.match > bestMatch)) {
      best = id;
      bestActive = active;
      bestMatch = progress.match;
    }
  }
  return best;
}

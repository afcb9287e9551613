/**
 * The cluster's side of join, leave and readmission requests (`member` messages). A joiner
 * names the store it has (its nonce): the leader admits it as a learner bound to that store,
 * through the log, so two nodes asking for one id never both get it — the second finds the id
 * bound to another store — and promotes the learner once it has caught up. The binding lives
 * in the configuration, so every later leader (also one whose log starts at a snapshot) knows
 * who holds an id. A member whose configuration binds it to another store lost its state: it
 * asks to be readmitted (`rebind`) with the store it has now. A node asking to leave is
 * removed. Followers forward requests to their leader and relay its answers back.
 */
import type { RaftStatus } from '../raft/contract.ts';
import { isStoreId, storeOf } from '../raft/confchange.ts';
import type {
  ConfChangeSingle,
  ConfState,
  MemberRequest,
  MemberResponse,
  MemberStatus,
  MemberWish,
  NodeId,
  Rejection,
} from '../raft/types.ts';
import { memberStatuses, memberWishes } from '../raft/types.ts';
import type { ReadyLoop } from './ready-loop.ts';

/**
 * A learner is promoted once its log is within this many entries of the leader's: close enough
 * that adding it to the quorum does not stall commits while it fetches the rest.
 */
const PROMOTE_WITHIN_ENTRIES = 16;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The nonce of a request made with a store identity. */
export function storeNonce(store: string): Uint8Array {
  return utf8.encode(store);
}

/** The store identity a request's nonce names, or undefined when it names none. */
function storeOfNonce(nonce: Uint8Array): string | undefined {
  try {
    const store = utf8Decoder.decode(nonce);
    return isStoreId(store) ? store : undefined;
  } catch {
    return undefined;
  }
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
  /** Changes this node proposed as leader whose entry has not been applied yet. */
  readonly #proposed = new Map<NodeId, Proposed>();
  /** Learners that joined to become voters (their store, their request's nonce): promoted once caught up. */
  readonly #promoting = new Map<NodeId, { readonly store: string | undefined; readonly nonce: Uint8Array }>();

  readonly #loop: ReadyLoop;

  /** @param loop the node's id, core and sends */
  constructor(loop: ReadyLoop) {
    this.#loop = loop;
  }

  /** A `member` or `memberResp` message for this node; returns why it was refused, if it was. */
  receive(message: MemberRequest | MemberResponse): Rejection | undefined {
    const status = this.#loop.core.status();
    // A request about another node, or an answer to relay, is taken from members only.
    const forwarded = message.subject !== message.from || message.type === 'memberResp';
    if (forwarded && roleIn(status.conf, message.from) === undefined) {
      return { reason: 'nonMember', detail: `${message.from} relays a ${message.type} for ${message.subject} but is not a member` };
    }
    if (message.type === 'memberResp') {
      // An answer from our leader for the node we forwarded for.
      this.#loop.send({ ...message, from: this.#loop.id, to: message.subject, term: status.term });
      return undefined;
    }
    if (status.role !== 'leader') {
      if (!forwarded && status.lead !== '' && status.lead !== this.#loop.id) {
        this.#loop.send({ ...message, from: this.#loop.id, to: status.lead, term: status.term });
      } else {
        this.#answer(message, 'notLeader', status);
      }
      return undefined;
    }
    this.#answer(message, this.#decide(message, status), status);
    return undefined;
  }

  /** Once per tick: promotes caught-up learners; forgets leader-only state after losing leadership. */
  tick(): void {
    if (this.#promoting.size === 0 && this.#proposed.size === 0) return;
    const status = this.#loop.core.status();
    if (status.role !== 'leader') {
      this.#proposed.clear();
      this.#promoting.clear();
      return;
    }
    // Whatever was applied at a proposed index decided that proposal's fate.
    for (const [id, proposed] of this.#proposed) if (proposed.index <= status.applied) this.#proposed.delete(id);
    for (const [id, { store, nonce }] of this.#promoting) {
      const role = roleIn(status.conf, id);
      const bound = storeOf(status.conf, id);
      if (role !== 'learner' || (store !== undefined && bound !== store)) this.#promoting.delete(id);
      else if (!this.#proposed.has(id) && (status.conf.stores === undefined || bound !== undefined)) this.#maybePromote(id, nonce, status);
    }
  }

  /**
   * A learner the application added as a voter: promoted once it is bound to its store (it asks
   * for that by itself) and has caught up.
   */
  promoteWhenReady(id: NodeId): void {
    this.#promoting.set(id, { store: undefined, nonce: new Uint8Array(0) });
  }

  #decide(request: MemberRequest, status: RaftStatus): MemberStatus {
    switch (request.wish) {
      case 'leave':
        return this.#decideLeave(request, status);
      case 'rebind':
        return this.#decideRebind(request, status);
      default:
        return this.#decideJoin(request, status);
    }
  }

  #decideJoin(request: MemberRequest, status: RaftStatus): MemberStatus {
    const { subject, nonce } = request;
    const conf = status.conf;
    const store = storeOfNonce(nonce);
    // A configuration that binds stores admits only joiners that name theirs.
    if (conf.stores !== undefined && store === undefined) return 'idTaken';
    const proposed = this.#proposed.get(subject);
    if (proposed !== undefined) return proposed.wish !== 'leave' && sameBytes(proposed.nonce, nonce) ? 'pending' : 'idTaken';
    const role = roleIn(conf, subject);
    if (role === undefined) {
      const change: ConfChangeSingle = conf.stores === undefined ? { type: 'addLearner', id: subject } : { type: 'addLearner', id: subject, store: store! };
      return this.#propose(change, nonce, 'learner');
    }
    const bound = storeOf(conf, subject);
    // Another store holds the id: a second node asking for it, not the one that joined.
    if (conf.stores !== undefined && bound !== undefined && bound !== store) return 'idTaken';
    if (conf.stores !== undefined && bound === undefined) {
      // A member added by hand, with no store yet: the first to claim it gets it.
      return this.#propose({ type: role === 'voter' ? 'addVoter' : 'addLearner', id: subject, store: store! }, nonce, role);
    }
    if (request.wish === 'learner' || role === 'voter') return 'done';
    this.#promoting.set(subject, { store: bound, nonce: nonce.slice() });
    return this.#maybePromote(subject, nonce, status);
  }

  /** A member that lost its state asks to be bound to the store it has now. */
  #decideRebind(request: MemberRequest, status: RaftStatus): MemberStatus {
    const { subject, nonce } = request;
    const store = storeOfNonce(nonce);
    const role = roleIn(status.conf, subject);
    if (role === undefined || store === undefined || status.conf.stores === undefined) return 'idTaken';
    if (storeOf(status.conf, subject) === store) return 'done';
    if (this.#proposed.has(subject)) return 'pending';
    return this.#propose({ type: role === 'voter' ? 'addVoter' : 'addLearner', id: subject, store }, nonce, 'rebind');
  }

  #decideLeave(request: MemberRequest, status: RaftStatus): MemberStatus {
    const subject = request.subject;
    if (subject === this.#loop.id) {
      // Removing the leader itself risks the stall described in the core's README: hand over first.
      const successor = mostCaughtUpVoter(status, this.#loop.id);
      if (successor !== undefined) this.#loop.core.transferLeadership(successor);
      return 'pending';
    }
    if (this.#proposed.has(subject)) return 'pending';
    if (roleIn(status.conf, subject) === undefined) return 'done';
    return this.#propose({ type: 'remove', id: subject }, request.nonce, 'leave');
  }

  #maybePromote(id: NodeId, nonce: Uint8Array, status: RaftStatus): MemberStatus {
    const progress = status.progress?.[id];
    if (progress === undefined || progress.match + PROMOTE_WITHIN_ENTRIES < status.lastIndex) return 'pending';
    return this.#propose({ type: 'addVoter', id }, nonce, 'voter');
  }

  #propose(change: ConfChangeSingle, nonce: Uint8Array, wish: MemberWish): MemberStatus {
    const outcome = this.#loop.core.proposeConfChange({ changes: [change], transition: 'auto', context: new Uint8Array(0) });
    if (outcome.ok) {
      if ('index' in outcome) this.#proposed.set(change.id, { nonce: nonce.slice(), index: outcome.index, wish });
      return 'pending';
    }
    // Another change still pending, a transfer under way...: the requester asks again later.
    return outcome.reason === 'notLeader' || outcome.reason === 'noLeader' ? 'notLeader' : 'pending';
  }

  #answer(request: MemberRequest, status: MemberStatus, core: RaftStatus): void {
    this.#loop.send({
      type: 'memberResp',
      from: this.#loop.id,
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

import type { ProposeRefusal } from '../raft/contract.ts';
import type { NodeId } from '../raft/types.ts';

/** Base class of every error a RaftNode hands to its callers. */
export class RaftNodeError extends Error {
  // Spelled out in every class: minifiers rename classes, so `new.target.name` would not survive bundling.
  override name = 'RaftNodeError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * This node cannot take the request because it is not (or no longer) the leader. `leader` is
 * the leader this node knows of (`''` when none); retry there.
 */
export class NotLeaderError extends RaftNodeError {
  override name = 'NotLeaderError';
  readonly leader: NodeId;
  readonly reason: ProposeRefusal;
  /** @param detail says more (why no leader is known); `options.cause` what the transport last reported. */
  constructor(leader: NodeId, reason: ProposeRefusal = 'notLeader', detail = '', options?: ErrorOptions) {
    super(`${leader === '' ? `no leader known (${reason})` : `not the leader; try ${leader} (${reason})`}${detail === '' ? '' : `: ${detail}`}`, options);
    this.leader = leader;
    this.reason = reason;
  }
}

/** The core refused a proposal for a reason other than leadership (size limit, removed node...). */
export class ProposalRefusedError extends RaftNodeError {
  override name = 'ProposalRefusedError';
  readonly reason: ProposeRefusal;
  constructor(reason: ProposeRefusal, detail = '') {
    super(`proposal refused: ${reason}${detail === '' ? '' : ` (${detail})`}`);
    this.reason = reason;
  }
}

/**
 * Another entry committed at the index of this node's entry (appended while it led): the
 * command was definitely not applied and never will be.
 */
export class ProposalDroppedError extends RaftNodeError {
  override name = 'ProposalDroppedError';
  readonly index: number;
  readonly term: number;
  constructor(index: number, term: number) {
    super(`entry ${index} of term ${term} was replaced: another entry committed at its index`);
    this.index = index;
    this.term = term;
  }
}

/** The operation did not finish in time. Its outcome is unknown: it may still take effect later. */
export class TimeoutError extends RaftNodeError {
  override name = 'TimeoutError';
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms (outcome unknown: it may still take effect)`);
  }
}

/** The node was stopped (or was never started) before the operation finished. */
export class StoppedError extends RaftNodeError {
  override name = 'StoppedError';
  constructor(detail = 'node is stopped', options?: ErrorOptions) {
    super(detail, options);
  }
}

/** The caller's AbortSignal fired. The command may still be applied later. */
export class AbortError extends RaftNodeError {
  override name = 'AbortError';
  constructor(reason?: unknown) {
    super('operation aborted', reason === undefined ? undefined : { cause: reason });
  }
}

/** A LogStore write or load failed. Fatal: the node stops rather than acknowledge lost data. */
export class StorageError extends RaftNodeError {
  override name = 'StorageError';
}

/** A committed entry could not be decoded (its envelope or its command). It is skipped on every node alike. */
export class EntryDecodeError extends RaftNodeError {
  override name = 'EntryDecodeError';
  readonly index: number;
  constructor(index: number, detail: string, options?: ErrorOptions) {
    super(`entry ${index}: ${detail}`, options);
    this.index = index;
  }
}

/**
 * A client session is unknown to the replicated session table: never opened, or expired.
 * The caller cannot tell whether earlier requests of that session were applied.
 */
export class SessionExpiredError extends RaftNodeError {
  override name = 'SessionExpiredError';
  readonly clientId: string;
  constructor(clientId: string) {
    super(`client session ${clientId} is unknown or expired`);
    this.clientId = clientId;
  }
}

/**
 * A session request older than the session's latest applied one: its result is no longer
 * kept (a session keeps the result of its latest request only).
 */
export class StaleRequestError extends RaftNodeError {
  override name = 'StaleRequestError';
  readonly clientId: string;
  readonly seq: number;
  constructor(clientId: string, seq: number, latest: number) {
    super(`client session ${clientId}: request ${seq} is older than the latest applied (${latest})`);
    this.clientId = clientId;
    this.seq = seq;
  }
}

/** Bad arguments from the caller (an empty id, a negative timeout, an unencodable command). */
export class InvalidArgumentError extends RaftNodeError {
  override name = 'InvalidArgumentError';
}

/**
 * A join was refused: another node holds this id, or asked for it first. Choose another id
 * (and start from an empty store).
 */
export class JoinRefusedError extends RaftNodeError {
  override name = 'JoinRefusedError';
  readonly reason = 'idTaken';
  /** The member that answered. */
  readonly by: NodeId;
  constructor(id: NodeId, by: NodeId) {
    super(`cannot join as ${id}: the id is taken (answered by ${by})`);
    this.by = by;
  }
}

/**
 * This node lost its durable state: its configuration binds its id to another store than the
 * one it has (a wiped disk, an evicted browser store, a fresh store under an old id). It never
 * votes before the cluster readmits it, which it asks for by itself; reported as a non-fatal
 * `error` event. Nothing is lost as long as the other members kept theirs.
 */
export class LostStateError extends RaftNodeError {
  override name = 'LostStateError';
  readonly store: string;
  constructor(id: NodeId, store: string) {
    super(`node ${id} lost its state: the cluster knows it by another store than ${store}; it asks to be readmitted and does not vote until then`);
    this.store = store;
  }
}

/**
 * The transport gave up for good (the relay refused this node, a fatal close...): the node
 * stopped. `cause` is the transport's own error.
 */
export class TransportFailedError extends RaftNodeError {
  override name = 'TransportFailedError';
}

/**
 * Messages from peers keep failing authentication: they use another cluster secret (or none,
 * or this node has none). Reported as a non-fatal `error` event; the messages were refused.
 */
export class SecretMismatchError extends RaftNodeError {
  override name = 'SecretMismatchError';
  readonly refused: number;
  constructor(refused: number, from: readonly NodeId[]) {
    super(`${refused} messages${from.length > 0 ? ` from ${from.join(', ')}` : ''} failed authentication: the peers use another cluster secret`);
    this.refused = refused;
  }
}

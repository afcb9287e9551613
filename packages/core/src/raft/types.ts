/**
 * The vocabulary shared by the pure Raft state machine, its driver, the codec, the
 * transports, the log stores and the simulator. Plain data only: every value here can be
 * structured-cloned, encoded by the codec and compared in tests.
 */

/** A node's identity in a cluster. Any non-empty string up to 64 UTF-8 bytes. */
export type NodeId = string;

/**
 * `normal` carries a user command; `noop` is appended by a new leader (§5.4.2, so it can
 * commit entries of earlier terms); `config` carries an encoded {@link ConfChange}.
 */
export type EntryType = 'normal' | 'noop' | 'config';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque for `normal`; empty for `noop`; `encodeConfChange(...)` for `config`. */
  readonly data: Uint8Array;
}

/** What must survive a crash besides the log (Figure 2: currentTerm, votedFor; plus commit). */
export interface HardState {
  readonly term: number;
  /** The candidate voted for in `term`, or `''` for none. */
  readonly vote: NodeId;
  readonly commit: number;
  /**
   * The identity of the store this state lives in: drawn once, when a node first writes to an
   * empty store, and kept for good. Raft assumes a node never forgets what it wrote; a store
   * that comes back empty (a wiped disk, an evicted browser store) gets a new identity, and a
   * configuration that binds the node's id to its old one tells that it has forgotten (see
   * {@link ConfState.stores}). Absent for a node that does not track it.
   */
  readonly store?: string;
}

export const emptyHardState: HardState = Object.freeze({ term: 0, vote: '', commit: 0 });

/** A membership configuration. In a joint configuration `votersOutgoing` is non-empty. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** The old voter set while a joint configuration (C_old,new) is in effect; else empty. */
  readonly votersOutgoing: readonly NodeId[];
  /** Learners that become voters when the joint configuration is left. */
  readonly learnersNext: readonly NodeId[];
  /** Leave the joint configuration automatically once it commits. */
  readonly autoLeave: boolean;
  /**
   * The store (see {@link HardState.store}) each member was admitted with. A node that tracks
   * its store votes and campaigns only while its configuration binds its id to that store, so
   * a node that lost its durable state never counts toward a quorum it was part of until it is
   * readmitted (rebound through the log). A configuration without `stores` binds nobody and
   * sets no such limit.
   */
  readonly stores?: Readonly<Record<NodeId, string>>;
}

export type ConfChangeType = 'addVoter' | 'addLearner' | 'remove';

export interface ConfChangeSingle {
  readonly type: ConfChangeType;
  readonly id: NodeId;
  /**
   * `addVoter` / `addLearner`: the store the node is admitted with. On a node that is already a
   * member it rebinds it: readmission after the node lost its state. Left out, a member keeps
   * its binding and a new one gets none.
   */
  readonly store?: string;
}

/**
 * A membership change. One single change that alters at most one voter is applied
 * directly; anything else goes through a joint configuration (§6 of the Raft thesis,
 * etcd's ConfChangeV2). An empty `changes` list leaves a joint configuration.
 */
export interface ConfChange {
  readonly changes: readonly ConfChangeSingle[];
  /** `auto`: joint only when needed, left automatically. `explicit`: joint, left by an empty change. */
  readonly transition: 'auto' | 'explicit';
  /** Free-form bytes carried to the applier (e.g. the address of the node added). */
  readonly context: Uint8Array;
}

export interface SnapshotMeta {
  /** Last index the snapshot covers. */
  readonly index: number;
  /** Term of the entry at `index`. */
  readonly term: number;
  /** The configuration in effect at `index`. */
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The state machine's `snapshot()` bytes. */
  readonly data: Uint8Array;
}

export type Role = 'follower' | 'candidate' | 'preCandidate' | 'leader';

/** Volatile state a driver shows users; present in a Ready only when it changed. */
export interface SoftState {
  readonly role: Role;
  /** The leader known in the current term, or `''`. */
  readonly lead: NodeId;
}

/** The answer to a `readIndex(context)`: reads may be served once `index` is applied. */
export interface ReadState {
  readonly index: number;
  readonly context: Uint8Array;
}

// ---------------------------------------------------------------------------------------
// Messages. Every message names its sender, receiver and the sender's term. Messages of
// the `local` kind never cross a network: the codec refuses to encode or decode them.
// ---------------------------------------------------------------------------------------

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** RequestVote (§5.2), or a PreVote probe (thesis §9.6) when `pre`. */
export interface VoteMessage extends MessageBase {
  readonly type: 'vote';
  readonly pre: boolean;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** Set by a leadership transfer: the voter disregards its leader lease (thesis §4.2.3). */
  readonly transfer: boolean;
}

export interface VoteResponse extends MessageBase {
  readonly type: 'voteResp';
  readonly pre: boolean;
  readonly reject: boolean;
  /** As in {@link AppendResponse.storeTag}: a grant counts only from a voter bound to this store. */
  readonly storeTag: number;
}

/** AppendEntries (§5.3). */
export interface AppendMessage extends MessageBase {
  readonly type: 'app';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Answer to `app`. Accepted: `index` is the follower's last index matching the leader.
 * Rejected: `index` is the `prevLogIndex` that did not match, and `(hintIndex, hintTerm)`
 * is the follower's guess of the highest index whose term may match, so the leader can skip
 * a whole term of conflicting entries in one round trip.
 */
export interface AppendResponse extends MessageBase {
  readonly type: 'appResp';
  readonly index: number;
  readonly reject: boolean;
  readonly hintIndex: number;
  readonly hintTerm: number;
  /**
   * A digest of the sender's store identity (see HardState.store; 0 when it tracks none). Where
   * the receiver's configuration binds members to stores, an answer counts toward a quorum
   * (commit, ReadIndex, lease, CheckQuorum) only from the store bound there: a node that lost
   * its state may also have forgotten a higher term, so its answers only steer replication.
   */
  readonly storeTag: number;
}

/** Heartbeat; `context` carries a ReadIndex round when non-empty. */
export interface HeartbeatMessage extends MessageBase {
  readonly type: 'heartbeat';
  readonly commit: number;
  readonly context: Uint8Array;
}

export interface HeartbeatResponse extends MessageBase {
  readonly type: 'heartbeatResp';
  readonly context: Uint8Array;
  /** As in {@link AppendResponse.storeTag}. */
  readonly storeTag: number;
}

/**
 * One chunk of an InstallSnapshot. Chunks are sent in order; `offset` is the chunk's byte
 * offset in the snapshot data and `done` marks the last one. Every chunk repeats `meta` so a
 * receiver can tell chunks of different snapshots apart.
 */
export interface SnapshotMessage extends MessageBase {
  readonly type: 'snap';
  readonly meta: SnapshotMeta;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly done: boolean;
  /** Total size of the snapshot data in bytes. */
  readonly totalBytes: number;
}

/**
 * Answer to a snapshot chunk: `offset` is the next byte the receiver expects for the
 * snapshot at `index` (resume point after a lost chunk); `reject` asks to restart from 0.
 */
export interface SnapshotResponse extends MessageBase {
  readonly type: 'snapResp';
  readonly index: number;
  readonly offset: number;
  readonly reject: boolean;
  readonly done: boolean;
}

/** A leader tells the transfer target to campaign at once (thesis §3.10). */
export interface TimeoutNowMessage extends MessageBase {
  readonly type: 'timeoutNow';
}

/** A proposal forwarded by a follower to the leader. */
export interface ProposeMessage extends MessageBase {
  readonly type: 'prop';
  readonly entries: readonly Entry[];
}

/** A ReadIndex request forwarded by a follower to the leader. */
export interface ReadIndexMessage extends MessageBase {
  readonly type: 'readIndex';
  readonly context: Uint8Array;
}

export interface ReadIndexResponse extends MessageBase {
  readonly type: 'readIndexResp';
  readonly index: number;
  readonly context: Uint8Array;
  /** The leader could not serve it (e.g. not yet committed an entry in its term). */
  readonly reject: boolean;
}

/** A follower asks the leader to transfer leadership to `target`. */
export interface TransferLeaderMessage extends MessageBase {
  readonly type: 'transferLeader';
  readonly target: NodeId;
}

/**
 * What a node asks of the cluster about itself: to join as a voter (through a learner phase) or
 * as a learner, to leave, or — a member whose configuration binds it to another store — to be
 * readmitted with the store it has now (`rebind`).
 */
export type MemberWish = 'voter' | 'learner' | 'leave' | 'rebind';

/**
 * A node asks to change its own membership. Sent to any member; a follower forwards it to its
 * leader. Handled by the driver (RaftNode), never by the pure core, which refuses it.
 */
export interface MemberRequest extends MessageBase {
  readonly type: 'member';
  /** The node the request is about: the sender itself, or the node a member forwards it for. */
  readonly subject: NodeId;
  /**
   * Names the request: the same nonce retried is the same request. 1..64 bytes. A request to
   * join or to be readmitted carries the UTF-8 bytes of the sender's store identity.
   */
  readonly nonce: Uint8Array;
  readonly wish: MemberWish;
}

/**
 * `done`: the wish holds in the leader's configuration. `pending`: under way, ask again later.
 * `idTaken`: the id belongs to another node (or another request). `notLeader`: ask `leader`.
 */
export type MemberStatus = 'done' | 'pending' | 'idTaken' | 'notLeader';

export interface MemberResponse extends MessageBase {
  readonly type: 'memberResp';
  readonly subject: NodeId;
  /** The nonce of the request answered. */
  readonly nonce: Uint8Array;
  readonly status: MemberStatus;
  /** The leader the sender knows of, or `''`. */
  readonly leader: NodeId;
}

/**
 * A founder of a new cluster (a node created with `members` on an empty store) asks another
 * founder whether a cluster exists already. Handled by the driver, never by the core.
 */
export interface FoundRequest extends MessageBase {
  readonly type: 'found';
  /** The sender's store identity. */
  readonly store: string;
}

/**
 * The answer: `conf` is the configuration the sender holds — one with no voters when it has
 * none yet and is looking for its fellow founders too, its store then being `store`.
 */
export interface FoundResponse extends MessageBase {
  readonly type: 'foundResp';
  readonly store: string;
  readonly conf: SnapshotMeta;
}

/** Every message that may cross a network. */
export type Message =
  | VoteMessage
  | VoteResponse
  | AppendMessage
  | AppendResponse
  | HeartbeatMessage
  | HeartbeatResponse
  | SnapshotMessage
  | SnapshotResponse
  | TimeoutNowMessage
  | ProposeMessage
  | ReadIndexMessage
  | ReadIndexResponse
  | TransferLeaderMessage
  | MemberRequest
  | MemberResponse
  | FoundRequest
  | FoundResponse;

export type MessageType = Message['type'];

export const messageTypes: readonly MessageType[] = Object.freeze([
  'vote',
  'voteResp',
  'app',
  'appResp',
  'heartbeat',
  'heartbeatResp',
  'snap',
  'snapResp',
  'timeoutNow',
  'prop',
  'readIndex',
  'readIndexResp',
  'transferLeader',
  'member',
  'memberResp',
  'found',
  'foundResp',
] as const);

export const memberWishes: readonly MemberWish[] = Object.freeze(['voter', 'learner', 'leave', 'rebind'] as const);
export const memberStatuses: readonly MemberStatus[] = Object.freeze(['done', 'pending', 'idTaken', 'notLeader'] as const);

/**
 * Why the core refused an input. Every refusal is counted by the driver and surfaced as a
 * `messageRejected` event; none of them changes state.
 */
export type RejectReason =
  | 'unknownType'
  | 'nonMember'
  | 'wrongRecipient'
  | 'impossibleField'
  | 'staleTerm'
  | 'notLeader'
  | 'decode'
  | 'auth'
  | 'clusterMismatch'
  | 'oversized';

export interface Rejection {
  readonly reason: RejectReason;
  readonly detail: string;
}

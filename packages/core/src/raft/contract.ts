/**
 * The contract of the pure state machine: its configuration, its single output (`Ready`)
 * and the inputs it accepts. `RawNode` (raw-node.ts) implements {@link RaftCore}.
 */
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  ReadState,
  Rejection,
  Role,
  Snapshot,
  SoftState,
} from './types.ts';

export interface RaftOptions {
  /** This node's id. */
  readonly id: NodeId;
  /**
   * Ticks without hearing from a leader before a follower campaigns. The actual timeout is
   * drawn uniformly from [electionTicks, 2 × electionTicks) at each reset.
   * @default 10
   */
  readonly electionTicks?: number;
  /** Ticks between a leader's heartbeats. @default 1 */
  readonly heartbeatTicks?: number;
  /** Probe with a PreVote round before a real election (thesis §9.6). @default true */
  readonly preVote?: boolean;
  /** A leader steps down when it has not heard from a quorum for an election timeout. @default true */
  readonly checkQuorum?: boolean;
  /** Upper bound on the bytes of entries in one `app` message (at least one entry is always sent). @default 1 MiB */
  readonly maxSizePerMsg?: number;
  /** How many `app` messages may be in flight to one follower in replicate state. @default 256 */
  readonly maxInflightMsgs?: number;
  /** How many bytes of entries may be in flight to one follower; 0 means unbounded. @default 0 */
  readonly maxInflightBytes?: number;
  /** Leader's bound on bytes of uncommitted entries; proposals past it are refused. 0 = unbounded. @default 0 */
  readonly maxUncommittedEntriesSize?: number;
  /** Upper bound on the bytes of committed entries handed out in one Ready. @default 8 MiB */
  readonly maxCommittedSizePerReady?: number;
  /** What a node that is not the leader does with a proposal. @default 'forward' */
  readonly proposalsWithoutLeader?: 'forward' | 'reject';
  /** How `readIndex` is served: a heartbeat round (`safe`) or the leader's lease (`lease`). @default 'safe' */
  readonly readOnly?: 'safe' | 'lease';
  /** Bytes of snapshot data per `snap` message. @default 256 KiB */
  readonly snapshotChunkBytes?: number;
  /** The only source of randomness (election timeouts). Must return numbers in [0, 1). */
  readonly random: () => number;
}

/** State recovered from a LogStore, or the bootstrap configuration of a fresh cluster. */
export interface RaftRestore {
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot;
  /** Entries after the snapshot, contiguous. */
  readonly entries?: readonly Entry[];
  /**
   * Initial voters of a brand-new cluster (used only when no snapshot and no config entry
   * exist). A node with no configuration at all is uninitialised: it never campaigns and
   * waits to be contacted by a leader.
   */
  readonly bootstrap?: ConfState;
  /** Index already applied by the state machine (restored from the snapshot). */
  readonly applied?: number;
}

/**
 * Everything the core asks its driver to do. A driver takes a Ready with `ready()`, hands
 * it back with `advance(ready)` once it has *started* the work (writes queued in order,
 * messages handed to the transport, entries queued for apply), and calls
 * `persisted(ready.seq)` once the writes are durable. Writes of successive Readys must
 * become durable in `seq` order.
 */
export interface Ready {
  /** Sequence number of this Ready's writes (`hardState`, `entries`, `snapshot`); 0 when it has none. */
  readonly seq: number;
  /** Present when role or leader changed. Informational only. */
  readonly softState?: SoftState;
  /** Persist (together with `entries`) before sending `messagesAfterPersist`. */
  readonly hardState?: HardState;
  /**
   * Entries to append to the durable log. The store drops any entry it holds with index
   * ≥ entries[0].index first (a new leader overwrote them).
   */
  readonly entries: readonly Entry[];
  /**
   * A snapshot received from the leader: the store replaces its whole log with it, and the
   * state machine must `restore` from it before applying any entry in `committedEntries`.
   */
  readonly snapshot?: Snapshot;
  /** Messages that may be sent at once, before this Ready's writes are durable (e.g. a leader's `app`). */
  readonly messages: readonly Message[];
  /**
   * Messages that depend on this Ready's writes (votes, append acknowledgements): send them
   * only after the writes of `seq` are durable.
   */
  readonly messagesAfterPersist: readonly Message[];
  /**
   * Committed entries to apply, in index order. Every one is already durable on this node,
   * or is in `entries` of this same Ready (apply only after `persisted(seq)` then).
   */
  readonly committedEntries: readonly Entry[];
  /** Answers to `readIndex`: serve the read once `index` has been applied. */
  readonly readStates: readonly ReadState[];
  /** Configurations that took effect, in order, from `config` entries in `committedEntries`. */
  readonly confStates: readonly ConfState[];
}

export type ProposeOutcome =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: true; readonly forwardedTo: NodeId }
  | { readonly ok: false; readonly reason: ProposeRefusal; readonly leader: NodeId; readonly detail?: string };

export type ProposeRefusal =
  | 'noLeader'
  | 'notLeader'
  | 'transferring'
  | 'uncommittedLimit'
  | 'confChangePending'
  | 'invalidConfChange'
  | 'removed';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly inflight: number;
  readonly recentActive: boolean;
  readonly learner: boolean;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly lead: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly conf: ConfState;
  /** Per-peer replication progress; present on a leader. */
  readonly progress?: Readonly<Record<NodeId, ProgressStatus>>;
  readonly leadTransferee: NodeId;
}

/** The pure Raft state machine: no clock, no timers, no randomness of its own, no I/O. */
export interface RaftCore {
  /** One logical clock tick (election / heartbeat timers). */
  tick(): void;
  /** Feed a message from the network. Returns why it was refused, or undefined if accepted. */
  step(message: Message): Rejection | undefined;
  propose(data: Uint8Array): ProposeOutcome;
  proposeConfChange(change: ConfChange): ProposeOutcome;
  /** Ask for a linearizable read point; the answer comes back as a ReadState with this context. */
  readIndex(context: Uint8Array): void;
  transferLeadership(to: NodeId): void;
  /** Start an election now (skips PreVote only when forced by a leader's `timeoutNow`). */
  campaign(): void;
  /**
   * Give a node with no configuration and an empty log the first configuration of a new
   * cluster, as a snapshot at index 0 (its data: the state machine's initial image). It comes
   * back in `Ready.snapshot`, to be persisted and restored like one installed from a leader.
   * @throws RaftUsageError when the node has a configuration or a log already.
   */
  bootstrap(snapshot: Snapshot): void;
  /** Report that a peer is unreachable (the leader falls back to probing it). */
  reportUnreachable(peer: NodeId): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(ready: Ready): void;
  /** The writes of every Ready with seq ≤ `seq` are durable. */
  persisted(seq: number): void;
  /**
   * The driver saved a snapshot of the state machine at `snapshot.meta.index` durably; the core
   * may now drop log entries up to that index (keeping `keepEntries` before it for slow followers).
   */
  compact(snapshot: Snapshot, keepEntries?: number): void;
  /** The driver applied entries up to `index` (enables conf-change proposals and snapshots). */
  appliedTo(index: number): void;
  status(): RaftStatus;
}

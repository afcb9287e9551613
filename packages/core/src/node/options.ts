import type { RaftCore, RaftOptions, RaftRestore, RaftStatus } from '../raft/contract.ts';
import type { ConfState, EntryType, NodeId, RejectReason, Rejection, Role } from '../raft/types.ts';
import type { LogStore } from '../storage/log-store.ts';
import type { Transport, TransportStatus } from '../transport/transport.ts';
import type { Clock, CommandCodec, StateMachine } from './state-machine.ts';

/** Any state machine; its command and result types are read off it. */
// `never` commands: method parameters are checked bivariantly, so every StateMachine fits.
export type AnyStateMachine = StateMachine<never, unknown>;
export type CommandOf<SM> = SM extends StateMachine<infer C, unknown> ? C : never;
export type ResultOf<SM> = SM extends StateMachine<never, infer R> ? Awaited<R> : never;

/** The core's tuning knobs a RaftNode passes through (see {@link RaftOptions} for each). */
export type RaftKnobs = Omit<RaftOptions, 'id' | 'random'>;

export interface RaftNodeOptions<SM extends AnyStateMachine> extends RaftKnobs {
  readonly id: NodeId;
  /**
   * Initial voters of a brand-new cluster, this node included. Used only while the log store
   * holds no configuration; leave it out for a node that joins an existing cluster (it waits to
   * be added). Founders settle the first configuration with each other, so a founder that comes
   * back on an empty store (a wiped disk, an evicted browser store) finds the cluster it
   * belonged to instead of founding a new one, and asks to be readmitted. A cluster of several
   * founders forms once every founder has started.
   */
  readonly members?: readonly NodeId[];
  readonly stateMachine: SM;
  /** The durable log. The node owns it from `create` on: `stop` closes it. */
  readonly log: LogStore;
  /** The node starts it in `start` and closes it in `stop`. */
  readonly transport: Transport;
  /** @default systemClock (the runtime's timers) */
  readonly clock?: Clock;
  /** The only randomness (election timeouts, this run's incarnation number). @default Math.random */
  readonly random?: () => number;
  /** Milliseconds per core tick. Elections take `electionTicks`–2×`electionTicks` ticks. @default 50 */
  readonly tickMs?: number;
  /** @default JSON */
  readonly commandCodec?: CommandCodec<CommandOf<SM>>;
  /** Encodes apply results kept by client sessions into snapshots. @default JSON */
  readonly resultCodec?: CommandCodec<ResultOf<SM>>;
  /** Default `timeoutMs` of `propose`, `read` and membership changes. Checked once per tick. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Take a snapshot once this many entries were applied since the last one; 0 turns it off. @default 10000 */
  readonly snapshotEvery?: number;
  /** Take a snapshot once this many bytes of entries were applied since the last one; 0 turns it off. @default 0 */
  readonly snapshotBytes?: number;
  /** Entries kept before a snapshot's index when compacting, so slightly slow followers need no snapshot. @default 1000 */
  readonly snapshotKeepEntries?: number;
  /**
   * A client session unused for this many log entries expires. Must be equal on every node.
   * @default 100000
   */
  readonly sessionTtlEntries?: number;
  /**
   * Up to this many commands proposed in the same ready cycle travel in one log entry, which
   * divides the core's per-entry work (messages, acknowledgements, commit checks) by the batch
   * size. Each command is still applied once, in order, and answered on its own — but commands
   * of one batch share the entry's index in `apply(command, index)`. 1 turns batching off.
   * @default 1
   */
  readonly maxBatchCommands?: number;
  /** Builds the pure core (the simulator or tests may substitute one). @default a RawNode */
  readonly createCore?: (options: RaftOptions, restore: RaftRestore) => RaftCore;
}

export interface RequestOptions {
  /** @default the node's `requestTimeoutMs` */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ProposeOptions extends RequestOptions {
  /**
   * Exactly-once: a request of a session opened with `openSession`. Retrying with the same
   * `seq` (on any node) returns the first result without applying the command again.
   */
  readonly session?: { readonly clientId: string; readonly seq: number };
}

export type NodeState = 'created' | 'running' | 'stopped' | 'failed';

export interface RaftNodeMetrics {
  messagesSent: number;
  messagesReceived: number;
  /** Input refused before or by the core, by reason. */
  rejected: Partial<Record<RejectReason, number>>;
  proposals: number;
  /** Proposals the core refused at once (not leader, limits). */
  proposalsRefused: number;
  /** Commands handed to the state machine's `apply`. */
  applies: number;
  /** Session retries answered from the session table. */
  duplicates: number;
  /** Forwarded proposals a leader dropped because it had appended them already (duplicated messages). */
  duplicateProposals: number;
  reads: number;
  writes: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
}

export interface RaftNodeStatus extends RaftStatus {
  readonly state: NodeState;
  /** This node's store identity (see HardState.store); undefined for a store that does not track one. */
  readonly store: string | undefined;
  /**
   * Whether this node may vote: its configuration binds it to the store it has. False while a
   * node that lost its state waits to be readmitted, and while a founder has no configuration.
   */
  readonly admitted: boolean;
  /** What the transport last reported of its connection; absent for transports with nothing to connect to. */
  readonly transport?: TransportStatus;
  /** Index the state machine has applied (the driver's own count). */
  readonly applied: number;
  readonly pendingProposals: number;
  readonly pendingReads: number;
  readonly metrics: Readonly<RaftNodeMetrics>;
}

export interface RaftNodeEvents<C = unknown, R = unknown> {
  roleChanged: { readonly role: Role; readonly previous: Role; readonly term: number };
  leaderChanged: { readonly leader: NodeId; readonly previous: NodeId; readonly term: number };
  termChanged: { readonly term: number; readonly previous: number };
  /** The commit index this node knows of advanced (from its durable hard state). */
  committed: { readonly index: number };
  /** One entry was applied; for `normal` entries with the decoded command and the result (undefined on a replay or error). */
  applied: { readonly index: number; readonly term: number; readonly type: EntryType; readonly command?: C; readonly result?: R };
  messageRejected: Rejection & { readonly from?: NodeId };
  snapshotTaken: { readonly index: number; readonly term: number; readonly bytes: number };
  snapshotInstalled: { readonly index: number; readonly term: number; readonly bytes: number };
  membershipChanged: { readonly index: number; readonly conf: ConfState };
  /** `fatal`: the node stopped because of it (a failed log write, a transport that gave up). */
  error: { readonly error: Error; readonly fatal: boolean };
  /** The transport's own connection changed (see TransportHandlers.status); transports with none never report. */
  transportStatus: TransportStatus;
}

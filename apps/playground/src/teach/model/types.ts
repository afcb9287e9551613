/**
 * What the teaching view shows, as plain data. A `Frame` is the whole cluster at one
 * instant of virtual time; the renderer reads frames and nothing else, so the same frame
 * always draws the same picture (RaftScope's split between model and view).
 */
import type { EntryType, NodeId, Role } from '@webraft/core';

export interface LogEntryView {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  /** Short text for the cell: the client command, `noop`, or the membership change. */
  readonly label: string;
}

export interface NodeView {
  readonly id: NodeId;
  /** `down` while crashed. */
  readonly role: Role | 'down';
  readonly term: number;
  readonly vote: NodeId;
  readonly lead: NodeId;
  readonly commit: number;
  readonly applied: number;
  /** Entries up to this index were compacted into a snapshot. */
  readonly snapshotIndex: number;
  readonly log: readonly LogEntryView[];
  /** The running election timer in virtual ms (absent for a leader or a crashed node). */
  readonly timer?: { readonly start: number; readonly end: number };
  /** Member of the current configuration (voter or learner); false once removed. */
  readonly member: boolean;
  readonly learner: boolean;
  /** The leader's view of each peer's log (§5.3: nextIndex, matchIndex), on a leader. */
  readonly progress?: Readonly<Record<NodeId, PeerProgress>>;
}

export interface PeerProgress {
  /** Highest index known to be stored on the peer. */
  readonly match: number;
  /** Index of the next entry the leader sends the peer. */
  readonly next: number;
}

export interface MessageView {
  /** Stable across replays of the same run: used by "drop this message". */
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
  /** One-line description for tooltips and the event log. */
  readonly summary: string;
  /** Which rule sent it and what it says, in the paper's terms with its section. */
  readonly why: string;
  readonly sendTime: number;
  readonly recvTime: number;
  /** A response (drawn hollow) rather than a request. */
  readonly response: boolean;
  /** Accepted / granted, for responses. */
  readonly ok?: boolean;
}

export interface EventView {
  readonly time: number;
  readonly node?: NodeId;
  readonly text: string;
  /** Which rule acted, in the paper's terms with its section. */
  readonly why: string;
  /** `user` for learner actions, `raft` for role/term/commit changes, `net` for network. */
  readonly kind: 'user' | 'raft' | 'net' | 'client';
}

export interface Frame {
  readonly time: number;
  readonly nodes: readonly NodeView[];
  readonly messages: readonly MessageView[];
  /** Links currently cut, as `a|b` with a < b. */
  readonly cuts: readonly string[];
}

export function linkKey(a: NodeId, b: NodeId): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * User actions: pure operations on a simulation. A run is fully described by its seed, its
 * options and the actions applied at given steps, so a view can record, replay and rewind it.
 */
import type { ConfChange, NodeId } from '@webraft/core';
import type { KvInput } from './history.ts';
import type { NetworkConditions } from './network.ts';
import type { DiskSpeed } from './store.ts';

export type SimAction =
  /** Stop a node; unacknowledged writes are lost except a random prefix (or `survivors` of them). */
  | { readonly type: 'crash'; readonly node: NodeId; readonly survivors?: number }
  | { readonly type: 'restart'; readonly node: NodeId }
  /** Crash a node and empty its disk: it comes back under its old id with nothing (an evicted browser store, a lost disk). */
  | { readonly type: 'wipe'; readonly node: NodeId }
  /** Only nodes in the same group can talk; a node in no group is isolated. */
  | { readonly type: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  /** Cut or restore one direction of one link. */
  | { readonly type: 'link'; readonly from: NodeId; readonly to: NodeId; readonly up: boolean }
  /** Slow one direction of one link down by a fixed extra delay (0 restores it). */
  | { readonly type: 'slowLink'; readonly from: NodeId; readonly to: NodeId; readonly extraMs: number }
  | { readonly type: 'heal' }
  | { readonly type: 'network'; readonly conditions: Partial<NetworkConditions> }
  /** Lose one message on the wire. */
  | { readonly type: 'dropPacket'; readonly packet: number }
  /** Make a node campaign now (as if its election timer fired). */
  | { readonly type: 'campaign'; readonly node: NodeId }
  /** Ask `node` (the leader, or any node that forwards it) to hand leadership to `to`. */
  | { readonly type: 'transfer'; readonly node: NodeId; readonly to: NodeId }
  /** Propose a membership change through `node` (refused unless it leads). */
  | { readonly type: 'confChange'; readonly node: NodeId; readonly change: ConfChange }
  /** `node`, not a member, asks the members in `via` to let it join (as a voter, or a learner). */
  | { readonly type: 'join'; readonly node: NodeId; readonly via: readonly NodeId[]; readonly learner?: boolean }
  /** `node` asks to leave the cluster, and stays down once it has. */
  | { readonly type: 'leave'; readonly node: NodeId }
  /** Snapshot `node`'s state machine now; its log is compacted once the snapshot is durable. */
  | { readonly type: 'snapshot'; readonly node: NodeId }
  /** Change a node's clock rate: virtual ms per tick. */
  | { readonly type: 'clock'; readonly node: NodeId; readonly tickMs: number }
  /** Make a node's disk slow or stalling, or fail its next `failWrites` writes. */
  | { readonly type: 'disk'; readonly node: NodeId; readonly speed?: DiskSpeed; readonly failWrites?: number }
  /**
   * A client operation, sent to `via` or a random node and retried like any plain client's. Without
   * `client`, each request gets a new client (`user1`, `user2`, …); a named client runs one
   * operation at a time and throws if asked for a second.
   */
  | {
      readonly type: 'request';
      readonly input: KvInput;
      readonly client?: string;
      readonly read?: 'log' | 'readIndex';
      /** The node the client sends to first (default: one at random). */
      readonly via?: NodeId;
      /** A node's own timeout for one attempt (default: the workload's). */
      readonly attemptTimeoutMs?: number;
    };

export interface RecordedAction {
  /** The simulation's step count when the action was applied. */
  readonly step: number;
  /** Virtual time when it was applied (the clock may have moved past the last event). */
  readonly time: number;
  readonly action: SimAction;
}

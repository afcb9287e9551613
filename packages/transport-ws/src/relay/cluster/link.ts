/**
 * What the switchboard needs from the cluster of relays it belongs to, and what it does for
 * the cluster. A room's membership is kept in one place every relay reads (Redis): which node
 * id is held by which relay, and a version counting its changes. Every change is announced to
 * the relays watching the room, in the order of the versions; frames and takeover probes go
 * from relay to relay.
 */
import type { NodeId } from '@webraft/core';

/** A change to a room's membership: `node` joined at (or moved to) `relay`, or left it. */
export interface RoomEvent {
  readonly kind: 'join' | 'leave';
  /** The room's version after the change. */
  readonly version: number;
  readonly relay: string;
  readonly node: NodeId;
}

/** A room's membership at one version: node id → the relay holding it. */
export interface RoomSnapshot {
  readonly version: number;
  readonly members: ReadonlyMap<NodeId, string>;
}

/** The outcome of asking for a node id in a room. */
export type Claim =
  /** The id is this relay's as of `version`. */
  | { readonly outcome: 'claimed'; readonly version: number }
  /** Another live relay holds it. */
  | { readonly outcome: 'held'; readonly relay: string }
  /** The room has `maxMembersPerRoom` members. */
  | { readonly outcome: 'full' };

/** Whether a frame left for the relay holding its receiver, or why not. */
export type ForwardOutcome = 'sent' | 'backpressure' | 'overBudget' | 'detached';

/** The relay could not reach Redis when it started. */
export class RelayClusterError extends Error {
  override readonly name = 'RelayClusterError';
}

/** The relay is not attached to the cluster (it lost Redis): it cannot admit anyone now. */
export class ClusterUnavailableError extends Error {
  override readonly name = 'ClusterUnavailableError';
}

export interface ClusterLink {
  /** This relay's id in the cluster; a new one each time it attaches. */
  readonly relayId: string;
  /** Connected to Redis, holding a live lease: rooms are shared. */
  readonly attached: boolean;
  /** Starts receiving the room's events, and reads its membership. */
  watch(room: string): Promise<RoomSnapshot>;
  unwatch(room: string): void;
  /**
   * Takes `node` in `room` for this relay unless a live relay other than `takeFrom` holds it,
   * or the room is full. Rejects with {@link ClusterUnavailableError} when detached.
   */
  claim(room: string, node: NodeId, maxMembers: number, takeFrom?: string): Promise<Claim>;
  /** Gives `node` up, if this relay still holds it. */
  release(room: string, node: NodeId): void;
  /** Sends a frame to `to`, a member at `relay`. */
  forward(relay: string, room: string, to: NodeId, frame: Uint8Array): ForwardOutcome;
  /** Asks `relay` whether its connection for `node` answers a ping; false when it does not, or the relay does not reply. */
  probe(relay: string, room: string, node: NodeId, timeoutMs: number): Promise<boolean>;
}

/** What the cluster asks of the switchboard. */
export interface ClusterHandler {
  /** A change to a room this relay watches, in the order of versions. */
  roomEvent(room: string, event: RoomEvent): void;
  /** A frame for a member of this relay. */
  frame(room: string, to: NodeId, frame: Uint8Array): void;
  /** Another relay asks whether this relay's connection for `node` is alive; one that is not is dropped (4009). */
  probe(room: string, node: NodeId): Promise<boolean>;
  /** The relays holding members of the rooms watched here, with those rooms: the cluster checks they are alive. */
  remoteRelays(): Map<string, string[]>;
  /** The relay lost Redis (connection, or its lease): nothing it knows of rooms holds any more. */
  detached(reason: string): void;
}

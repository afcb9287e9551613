import type { Message, NodeId, Rejection } from '../raft/types.ts';

/** What a transport reports to the node that owns it. */
export interface TransportHandlers {
  /** A message for this node, decoded and validated. */
  message(message: Message): void;
  /** Input that was refused (malformed, oversized, forged, unauthenticated). Nothing reaches the core. */
  rejected?(rejection: Rejection & { readonly from?: NodeId }): void;
  /** A peer can (no longer) be reached; the leader then probes it instead of streaming. */
  reachability?(peer: NodeId, reachable: boolean): void;
  /**
   * The transport's own connection (to a relay, say) changed, or one more attempt to
   * (re)connect failed: each report carries the cause. Transports with nothing to connect to
   * (in-memory, BroadcastChannel) never call it; every transport works without it.
   */
  status?(status: TransportStatus): void;
}

/** How a transport's own connection stands, as reported through {@link TransportHandlers.status}. */
export interface TransportStatus {
  /**
   * - `connecting`: peers cannot be reached through it yet, or not again yet; it keeps trying.
   * - `connected`: it reaches the peers that are there.
   * - `failed`: it gave up for good (`error` says why) and sends and receives nothing more.
   */
  readonly state: 'connecting' | 'connected' | 'failed';
  /** Why the last attempt failed or the connection was lost; absent while `connected`. */
  readonly error?: Error;
}

/**
 * How one node sends and receives Raft messages (the "PilotAPI"). Rules every implementation
 * keeps, checked by `transportConformance` in `@webraft/core/testing`:
 * - Asynchronous messages, not RPC: `send` returns at once and never throws for a network
 *   failure; a message may be lost, duplicated, delayed or reordered, never altered.
 * - Only messages addressed to this node reach `handlers.message`, each with `from` set to
 *   the real sender (a transport that cannot vouch for the sender must authenticate it).
 * - Nothing is delivered before `start` or after `close` has resolved.
 */
export interface Transport {
  readonly id: NodeId;
  start(handlers: TransportHandlers): void | Promise<void>;
  send(message: Message): void;
  close(): Promise<void>;
}

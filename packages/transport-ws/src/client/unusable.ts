/**
 * What the factories return for options they cannot work with. Throwing from the factory
 * would escape a `RaftNode.create({ transport: webSocketTransport(...) })` as something other
 * than the node's own start failing; this transport instead reports the error as its status
 * and rejects `start()` with it, and does nothing else.
 */
import type { Message, NodeId, TransportHandlers } from '@webraft/core';
import { FaultTable } from '../faults.ts';
import type { WebRTCTransport } from './factories.ts';
import type { TransportOptionsError } from './option-checks.ts';
import type { RelayStatus } from './relay-link.ts';
import type { TransportStats } from './transport.ts';

export class UnusableTransport implements WebRTCTransport {
  readonly id: NodeId;
  readonly faults = new FaultTable();
  readonly peers: ReadonlySet<NodeId> = new Set();
  readonly directPeers: readonly NodeId[] = [];
  readonly status: RelayStatus;
  readonly #error: TransportOptionsError;

  constructor(nodeId: unknown, error: TransportOptionsError) {
    this.id = typeof nodeId === 'string' ? nodeId : '';
    this.#error = error;
    this.status = { state: 'refused', error };
  }

  start(handlers: TransportHandlers): Promise<void> {
    handlers.status?.({ state: 'failed', error: this.#error });
    return Promise.reject(this.#error);
  }

  send(_message: Message): void {}

  closeChannel(_peer: NodeId): void {}

  stats(): TransportStats {
    return {
      sent: 0,
      received: 0,
      dropped: { notConnected: 0, backpressure: 0, oversized: 0, fault: 0, encode: 0 },
      rejected: 0,
      quarantined: 0,
      relayConnections: 0,
      viaDirect: 0,
      viaRelay: 0,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A node's `Transport` onto the simulated network, one per life of the node. Messages are
 * handed over by reference (the network may lose, delay, duplicate and reorder them); a
 * crashed node's transport neither sends nor receives.
 */
import type { Message, NodeId, Transport, TransportHandlers } from '@webraft/core';

export class SimTransport implements Transport {
  private handlers: TransportHandlers | undefined;
  private closed = false;

  constructor(
    readonly id: NodeId,
    private readonly sendToNetwork: (message: Message) => void,
  ) {}

  start(handlers: TransportHandlers): void {
    if (!this.closed) this.handlers = handlers;
  }

  send(message: Message): void {
    if (!this.closed) this.sendToNetwork(message);
  }

  close(): Promise<void> {
    this.closed = true;
    this.handlers = undefined;
    return Promise.resolve();
  }

  /** A message arrived for this node; false when the node is not listening. */
  deliver(message: Message): boolean {
    const handlers = this.handlers;
    if (handlers === undefined) return false;
    handlers.message(message);
    return true;
  }
}

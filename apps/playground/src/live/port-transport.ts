/**
 * A transport whose network lives in the page rather than in the worker. Browsers offer
 * RTCPeerConnection only on the main thread, so for WebRTC the page owns the data channels
 * and this worker-side half passes messages across `postMessage` (structured clone keeps
 * them intact). The page side is `bridgeTransport` below.
 */
import type { Message, NodeId, Rejection, Transport, TransportHandlers } from '@webraft/core';

export type BridgeToPage = { readonly type: 'net-send'; readonly message: Message };
export type BridgeToWorker =
  | { readonly type: 'net-recv'; readonly message: Message }
  | { readonly type: 'net-rejected'; readonly rejection: Rejection & { readonly from?: NodeId } }
  | { readonly type: 'net-reachability'; readonly peer: NodeId; readonly reachable: boolean };

export class PortTransport implements Transport {
  #handlers: TransportHandlers | undefined;

  constructor(
    readonly id: NodeId,
    private readonly post: (message: BridgeToPage) => void,
  ) {}

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
  }

  send(message: Message): void {
    this.post({ type: 'net-send', message });
  }

  /** Input from the page side. */
  deliver(input: BridgeToWorker): void {
    const h = this.#handlers;
    if (h === undefined) return;
    if (input.type === 'net-recv') h.message(input.message);
    else if (input.type === 'net-rejected') h.rejected?.(input.rejection);
    else h.reachability?.(input.peer, input.reachable);
  }

  async close(): Promise<void> {
    this.#handlers = undefined;
  }
}

/** The page side: runs `transport` in the page and connects it to a worker's PortTransport. */
export async function bridgeTransport(transport: Transport, worker: Worker): Promise<{ send(message: Message): void; close(): Promise<void> }> {
  const post = (message: BridgeToWorker) => worker.postMessage(message);
  await transport.start({
    message: (message) => post({ type: 'net-recv', message }),
    rejected: (rejection) => post({ type: 'net-rejected', rejection }),
    reachability: (peer, reachable) => post({ type: 'net-reachability', peer, reachable }),
  });
  return { send: (message) => transport.send(message), close: () => transport.close() };
}

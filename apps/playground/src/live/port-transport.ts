/**
 * A transport whose network lives in the page rather than in the worker. Browsers offer
 * RTCPeerConnection only on the main thread, so for WebRTC the page owns the data channels
 * and this worker-side half passes messages across `postMessage` as encoded frames: byte
 * fields of a message may be views of a larger shared buffer, which a structured clone would
 * copy whole. The page side is `bridgeTransport` below.
 */
import { DecodeError, frameCodec, type Message, type NodeId, type Rejection, type Transport, type TransportHandlers } from '@webraft/core';

/** Both halves run in one tab: no secret, so frames encode and decode without a Promise. */
const codec = frameCodec();
const encode = codec.encodeSync!;
const decode = codec.decodeSync!;

export type BridgeToPage = { readonly type: 'net-send'; readonly frame: Uint8Array };
export type BridgeToWorker =
  | { readonly type: 'net-recv'; readonly frame: Uint8Array }
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
    this.post({ type: 'net-send', frame: encode(message) });
  }

  /** Input from the page side. */
  deliver(input: BridgeToWorker): void {
    const h = this.#handlers;
    if (h === undefined) return;
    if (input.type === 'net-recv') {
      let message: Message;
      try {
        message = decode(input.frame, this.id);
      } catch (error) {
        if (error instanceof DecodeError) h.rejected?.({ reason: error.reason, detail: error.message });
        return;
      }
      h.message(message);
    } else if (input.type === 'net-rejected') h.rejected?.(input.rejection);
    else h.reachability?.(input.peer, input.reachable);
  }

  async close(): Promise<void> {
    this.#handlers = undefined;
  }
}

/** The page side: runs `transport` in the page and connects it to a worker's PortTransport. */
export async function bridgeTransport(transport: Transport, worker: Worker): Promise<{ send(frame: Uint8Array): void; close(): Promise<void> }> {
  const post = (message: BridgeToWorker) => worker.postMessage(message);
  await transport.start({
    message: (message) => post({ type: 'net-recv', frame: encode(message) }),
    rejected: (rejection) => post({ type: 'net-rejected', rejection }),
    reachability: (peer, reachable) => post({ type: 'net-reachability', peer, reachable }),
  });
  return { send: (frame) => transport.send(decode(frame)), close: () => transport.close() };
}

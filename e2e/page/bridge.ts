/**
 * WebRTC has no API in workers: the page runs the WebRTC transport and the worker's node talks
 * to it through this bridge.
 */
import { frameCodec, type Message, type NodeId, type Transport, type TransportHandlers } from '@webraft/core';

/**
 * Messages cross between page and worker as encoded frames: byte fields of a message may view
 * a buffer shared with other messages, which a structured clone would copy whole.
 */
export const bridgeCodec = frameCodec();

/** The worker's end of a transport that lives on the page (WebRTC has no API in workers). */
export class PageBridgeTransport implements Transport {
  #handlers: TransportHandlers | undefined;

  constructor(
    readonly id: NodeId,
    private readonly post: (frame: Uint8Array) => void,
  ) {}

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
  }

  deliver(frame: Uint8Array): void {
    const message = bridgeCodec.decodeSync!(frame);
    if (message.to === this.id) this.#handlers?.message(message);
  }

  send(message: Message): void {
    this.post(bridgeCodec.encodeSync!(message));
  }

  close(): Promise<void> {
    this.#handlers = undefined;
    return Promise.resolve();
  }
}

/**
 * A transport wrapper that drops messages on cut links, one direction at a time, so a test
 * can isolate a node, cut one link asymmetrically or make a link flap — whatever transport
 * carries the messages underneath.
 */
import { frameCodec, type Message, type NodeId, type Transport, type TransportHandlers } from '@webraft/core';
import type { LinkCuts } from './protocol.ts';

export class CuttableTransport implements Transport {
  #out = new Set<NodeId>();
  #in = new Set<NodeId>();

  constructor(private readonly inner: Transport) {}

  get id(): NodeId {
    return this.inner.id;
  }

  cut(cuts: LinkCuts): void {
    this.#out = new Set(cuts.out);
    this.#in = new Set(cuts.in);
  }

  start(handlers: TransportHandlers): void | Promise<void> {
    return this.inner.start({
      ...handlers,
      message: (message) => {
        if (!this.#in.has(message.from)) handlers.message(message);
      },
    });
  }

  send(message: Message): void {
    if (!this.#out.has(message.to)) this.inner.send(message);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

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

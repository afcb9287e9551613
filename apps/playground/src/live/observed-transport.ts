/**
 * Wraps a node's transport so the page can show its traffic and cut it: while isolated,
 * nothing leaves and nothing arrives (as if the tab's network were unplugged), which is the
 * "isolate this tab" button and `webraft.isolate()`.
 */
import type { Message, Transport, TransportHandlers } from '@webraft/core';
import type { SentMessage } from './protocol.ts';

export class ObservedTransport implements Transport {
  isolated = false;
  sent = 0;
  received = 0;
  #recent: SentMessage[] = [];

  constructor(private readonly inner: Transport) {}

  get id() {
    return this.inner.id;
  }

  start(handlers: TransportHandlers): void | Promise<void> {
    return this.inner.start({
      ...handlers,
      message: (message) => {
        if (this.isolated) return;
        this.received++;
        handlers.message(message);
      },
    });
  }

  send(message: Message): void {
    if (this.isolated) return;
    this.sent++;
    // Keep the picture cheap: a handful of recent messages is all the view animates.
    if (this.#recent.length < 64) this.#recent.push({ to: message.to, type: message.type, at: Date.now() });
    this.inner.send(message);
  }

  /** Messages sent since the last call. */
  takeRecent(): SentMessage[] {
    const out = this.#recent;
    this.#recent = [];
    return out;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

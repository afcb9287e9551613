/**
 * A BroadcastChannel with faults: what it sends goes in an envelope naming the sending tab, and
 * what it receives is delivered, delayed or dropped as the context's fault state says. Every
 * context of a test build (the pages and their Workers) installs it in place of the global one,
 * so any code that opens a BroadcastChannel — `broadcastChannelTransport`, the tab store — sees
 * a network with faults without being told.
 */
import { isEnvelope, SENDER_KEY, type HookContext } from './context.ts';

type Listener = ((this: BroadcastChannel, event: MessageEvent) => unknown) | null;

export function faultChannel(Base: typeof BroadcastChannel, context: HookContext): typeof BroadcastChannel {
  class FaultChannel extends Base {
    #onmessage: Listener = null;
    readonly #listeners = new Set<EventListenerOrEventListenerObject>();

    constructor(name: string) {
      super(name);
      // One judgement per message, whoever listens: a lost message is lost for every listener.
      super.addEventListener('message', (event) => this.#judge(event as MessageEvent));
    }

    override get onmessage(): Listener {
      return this.#onmessage;
    }

    override set onmessage(listener: Listener) {
      this.#onmessage = listener;
    }

    override postMessage(message: unknown): void {
      super.postMessage({ [SENDER_KEY]: context.tab, data: message });
    }

    override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
      if (type === 'message') this.#listeners.add(listener);
      else super.addEventListener(type, listener, options);
    }

    override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void {
      if (type === 'message') this.#listeners.delete(listener);
      else super.removeEventListener(type, listener, options);
    }

    /** A message from a context without hooks names no sender tab: a partition drops it. */
    #judge(event: MessageEvent): void {
      const envelope = isEnvelope(event.data) ? event.data : undefined;
      const data: unknown = envelope === undefined ? event.data : envelope.data;
      context.receive(envelope?.[SENDER_KEY], () => {
        const unwrapped = new MessageEvent('message', { data, origin: event.origin });
        this.#onmessage?.call(this, unwrapped);
        for (const listener of this.#listeners) {
          if (typeof listener === 'function') listener.call(this, unwrapped);
          else listener.handleEvent(unwrapped);
        }
      });
    }
  }
  return FaultChannel;
}

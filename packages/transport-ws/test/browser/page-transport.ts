/**
 * A Transport whose implementation runs inside a Chromium page: every call is forwarded to
 * the page's harness, every event comes back through a binding. Lets the core's conformance
 * suite, which runs in Node, check the transports as a browser runs them.
 */
import type { Page } from 'playwright-core';
import type { Message, NodeId, Transport, TransportHandlers } from '@webraft/core';
import { fromJson, toJson } from './wire-json.ts';
import type {} from './harness.ts';

type Event = [handle: number, kind: 'message' | 'rejected' | 'reachability', payload: string];

const handlers = new Map<number, TransportHandlers>();
let nextHandle = 1;

/** Routes a batch of page events to the transports' handlers; install once per browser context. */
export function dispatchEvents(batch: Event[]): void {
  for (const [handle, kind, payload] of batch) {
    const h = handlers.get(handle);
    if (h === undefined) continue;
    if (kind === 'message') h.message(fromJson(payload));
    else if (kind === 'rejected') h.rejected?.(fromJson(payload));
    else {
      const { peer, reachable } = fromJson<{ peer: NodeId; reachable: boolean }>(payload);
      h.reachability?.(peer, reachable);
    }
  }
}

export class PageTransport implements Transport {
  readonly #handle = nextHandle++;
  #outbox: [number, string][] = [];
  #closed = false;

  constructor(
    readonly page: Page,
    readonly kind: 'ws' | 'rtc',
    readonly options: { url: string; room: string; nodeId: string; secret?: string },
  ) {}

  get id(): NodeId {
    return this.options.nodeId;
  }

  async start(h: TransportHandlers): Promise<void> {
    handlers.set(this.#handle, h);
    await this.page.evaluate(([handle, kind, options]) => window.harness.create(handle, kind, options), [
      this.#handle,
      this.kind,
      this.options,
    ] as const);
  }

  send(message: Message): void {
    if (this.#closed) return;
    if (this.#outbox.length === 0) queueMicrotask(() => this.#flush());
    this.#outbox.push([this.#handle, toJson(message)]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    handlers.delete(this.#handle);
    await this.page.evaluate((handle) => window.harness.close(handle), this.#handle).catch(() => undefined);
  }

  stats(): Promise<{ viaDirect: number; viaRelay: number; directPeers: string[] }> {
    return this.page.evaluate((handle) => window.harness.stats(handle), this.#handle) as never;
  }

  #flush(): void {
    const batch = this.#outbox;
    this.#outbox = [];
    if (!this.#closed) void this.page.evaluate((b) => window.harness.send(b), batch).catch(() => undefined);
  }
}

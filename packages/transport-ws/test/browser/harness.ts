/**
 * Runs in a Chromium page: creates transports on request of the test runner and reports
 * what they receive, in batches, through the `webraftEvents` binding.
 */
import type { Transport } from '@webraft/core';
import { webRTCTransport, webSocketTransport, type RelayTransport } from '../../src/index.ts';
import { fromJson, toJson } from './wire-json.ts';

type Event = [handle: number, kind: 'message' | 'rejected' | 'reachability', payload: string];

declare global {
  interface Window {
    webraftEvents(batch: Event[]): Promise<void>;
    harness: typeof harness;
  }
}

const transports = new Map<number, Transport>();
let outbox: Event[] = [];
let flushing = false;

// One round trip to the test runner at a time; events arriving meanwhile go in the next
// batch. No timers: they are throttled in background pages.
function post(event: Event): void {
  outbox.push(event);
  if (!flushing) void flush();
}

async function flush(): Promise<void> {
  flushing = true;
  while (outbox.length > 0) {
    const batch = outbox;
    outbox = [];
    await window.webraftEvents(batch);
  }
  flushing = false;
}

const harness = {
  async create(handle: number, kind: 'ws' | 'rtc', options: { url: string; room: string; nodeId: string; secret?: string }): Promise<void> {
    const transport = kind === 'ws' ? webSocketTransport(options) : webRTCTransport(options);
    transports.set(handle, transport);
    await transport.start({
      message: (m) => post([handle, 'message', toJson(m)]),
      rejected: (r) => post([handle, 'rejected', toJson(r)]),
      reachability: (peer, reachable) => post([handle, 'reachability', toJson({ peer, reachable })]),
    });
  },
  send(batch: [handle: number, message: string][]): void {
    for (const [handle, message] of batch) transports.get(handle)?.send(fromJson(message));
  },
  async close(handle: number): Promise<void> {
    await transports.get(handle)?.close();
    transports.delete(handle);
  },
  stats(handle: number): unknown {
    const t = transports.get(handle) as (RelayTransport & { directPeers?: string[] }) | undefined;
    return t === undefined ? undefined : { ...t.stats(), directPeers: t.directPeers ?? [] };
  },
};

window.harness = harness;

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as polyfill from 'node-datachannel/polyfill';
import type { Message } from '@webraft/core';
import { runConformance, transportConformance, waitFor } from '@webraft/core/testing';
import { startRelay, type Relay } from '../src/relay/index.ts';
import { adaptWrtc, webRTCTransport, type WebRTCTransport, type WebRTCTransportOptions } from '../src/index.ts';

const wrtc = adaptWrtc(polyfill as unknown as Parameters<typeof adaptWrtc>[0]);
let relay: Relay;
let roomCounter = 0;

beforeAll(async () => {
  relay = await startRelay({ port: 0 });
});
afterAll(() => relay.close());

function transports(ids: readonly string[], extra: Partial<WebRTCTransportOptions> = {}): WebRTCTransport[] {
  const room = `rtc-${roomCounter++}`;
  return ids.map((nodeId) => webRTCTransport({ url: relay.url, room, nodeId, WebSocket, wrtc, ...extra }));
}

runConformance(
  transportConformance((ids) => ({ transports: transports(ids, { secret: 'cluster secret' }) }), { timeoutMs: 10_000 }),
  { describe, it },
  { title: 'webRTCTransport conformance (node-datachannel, signalled through a relay)', timeoutMs: 30_000 },
);

const ping = (from: string, to: string, term = 1): Message => ({ type: 'timeoutNow', from, to, term });

describe('webRTCTransport', () => {
  it('moves traffic onto data channels once they open, and back to the relay when one closes', async () => {
    const [a, b] = transports(['a', 'b']);
    const got: Message[] = [];
    await a!.start({ message: () => undefined });
    await b!.start({ message: (m) => got.push(m) });
    await waitFor(() => a!.directPeers.includes('b') && b!.directPeers.includes('a'), 15_000, 'a channel between a and b');
    for (let i = 1; i <= 50; i++) a!.send(ping('a', 'b', i));
    await waitFor(() => got.length === 50, 5000, '50 messages over the channel');
    expect(a!.stats()).toMatchObject({ viaDirect: 50, viaRelay: 0 });

    // A frame too large for a data channel message goes through the relay.
    const big: Message = { type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 1, context: new Uint8Array(100_000) };
    a!.send(big);
    await waitFor(() => got.length === 51, 5000, 'the large frame');
    expect(a!.stats().viaRelay).toBe(1);

    a!.closeChannel('b');
    expect(a!.directPeers).toEqual([]);
    a!.send(ping('a', 'b', 52));
    await waitFor(() => got.length === 52, 5000, 'a message while the channel is down');
    expect(a!.stats().viaRelay).toBe(2);
    await waitFor(() => a!.directPeers.includes('b') && b!.directPeers.includes('a'), 15_000, 'the channel reopens');
    a!.send(ping('a', 'b', 53));
    await waitFor(() => got.length === 53, 5000, 'a message on the reopened channel');
    expect(a!.stats().viaDirect).toBe(51);
    await a!.close();
    await b!.close();
  }, 30_000);

  it('reconnects the channel after a peer reloads (a new transport with the same id)', async () => {
    const room = `rtc-${roomCounter++}`;
    const make = (nodeId: string) => webRTCTransport({ url: relay.url, room, nodeId, WebSocket, wrtc, retry: { initialMs: 50, maxMs: 500 } });
    for (const [stay, reload] of [['a', 'b'], ['b', 'a']] as const) {
      const kept = make(stay);
      const got: Message[] = [];
      await kept.start({ message: (m) => got.push(m) });
      const first = make(reload);
      await first.start({ message: () => undefined });
      await waitFor(() => kept.directPeers.includes(reload), 15_000, 'first channel');
      await first.close();
      const second = make(reload);
      const back: Message[] = [];
      await second.start({ message: (m) => back.push(m) });
      await waitFor(() => second.directPeers.includes(stay) && kept.directPeers.includes(reload), 15_000, 'channel after the reload');
      const via = second.stats().viaDirect;
      second.send(ping(reload, stay, 9));
      kept.send(ping(stay, reload, 10));
      await waitFor(() => got.some((m) => m.term === 9) && back.some((m) => m.term === 10), 5000, 'both ways after the reload');
      expect(second.stats().viaDirect).toBe(via + 1);
      await kept.close();
      await second.close();
    }
  }, 60_000);

  it('keeps data channels across a relay restart', async () => {
    const own = await startRelay({ port: 0 });
    const port = own.port;
    const opts = { url: own.url, room: 'r', WebSocket, wrtc, backoff: { initialMs: 20, maxMs: 200 } };
    const a = webRTCTransport({ ...opts, nodeId: 'a' });
    const b = webRTCTransport({ ...opts, nodeId: 'b' });
    const got: Message[] = [];
    await a.start({ message: () => undefined });
    await b.start({ message: (m) => got.push(m) });
    await waitFor(() => a.directPeers.includes('b'), 15_000, 'channel');
    await own.close();
    a.send(ping('a', 'b', 5));
    await waitFor(() => got.some((m) => m.term === 5), 5000, 'a message while the relay is down');
    const again = await startRelay({ port });
    await waitFor(() => a.stats().relayConnections === 2 && b.stats().relayConnections === 2, 5000, 'relay reconnect');
    expect(a.directPeers).toEqual(['b']);
    await a.close();
    await b.close();
    await again.close();
  }, 30_000);
});

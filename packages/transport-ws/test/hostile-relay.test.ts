/**
 * With a cluster secret, a relay cannot alter or inject messages: a stand-in relay that
 * tampers with every frame it forwards, or forges frames of its own, gets them all rejected.
 */
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeFrame, type Message } from '@webraft/core';
import { waitFor } from '@webraft/core/testing';
import { decodeEnvelope, encodeEnvelope, EnvelopeKind, packBatch, unpackBatch } from '../src/protocol.ts';
import { webSocketTransport } from '../src/index.ts';

let server: WebSocketServer | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A relay for one room that hands every data frame (also each one of a batch) to `rewrite` before delivering it. */
async function hostileRelay(rewrite: (frame: Uint8Array, from: string) => Uint8Array): Promise<{ url: string; inject(to: string, from: string, frame: Uint8Array): void }> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const members = new Map<string, WebSocket>();
  server.on('connection', (socket, request) => {
    const node = new URL(request.url!, 'http://x').searchParams.get('node')!;
    socket.send(encodeEnvelope(EnvelopeKind.welcome, '', new TextEncoder().encode(JSON.stringify([...members.keys()]))));
    for (const other of members.values()) other.send(encodeEnvelope(EnvelopeKind.presence, node, Uint8Array.of(1)));
    members.set(node, socket);
    socket.on('message', (data: Buffer) => {
      const envelope = decodeEnvelope(new Uint8Array(data));
      const target = members.get(envelope.peer);
      if (envelope.kind === EnvelopeKind.data) target?.send(encodeEnvelope(EnvelopeKind.data, node, rewrite(envelope.payload, node)));
      if (envelope.kind === EnvelopeKind.batch) {
        target?.send(encodeEnvelope(EnvelopeKind.batch, node, packBatch(unpackBatch(envelope.payload).map((frame) => rewrite(frame, node)))));
      }
    });
  });
  await new Promise((resolve) => server!.once('listening', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/`,
    inject: (to, from, frame) => members.get(to)?.send(encodeEnvelope(EnvelopeKind.data, from, frame)),
  };
}

async function pair(url: string) {
  const common = { url, room: 'r', WebSocket, secret: 'cluster secret' };
  const received: Message[] = [];
  const rejected: { reason: string }[] = [];
  const a = webSocketTransport({ ...common, nodeId: 'a' });
  const b = webSocketTransport({ ...common, nodeId: 'b' });
  await a.start({ message: () => undefined });
  await b.start({ message: (m) => received.push(m), rejected: (r) => rejected.push(r) });
  return { a, b, received, rejected };
}

const heartbeat = (commit: number): Message => ({ type: 'heartbeat', from: 'a', to: 'b', term: 2, commit, context: Uint8Array.of(1, 2, 3) });

it('rejects every frame a relay altered', async () => {
  let flip = 0;
  const relay = await hostileRelay((frame) => {
    const altered = frame.slice();
    // A different byte each time: header, message body or the MAC itself.
    const at = flip++ % altered.length;
    altered[at] = altered[at]! ^ 0x01;
    return altered;
  });
  const { a, b, received, rejected } = await pair(relay.url);
  for (let i = 1; i <= 40; i++) a.send(heartbeat(i));
  await waitFor(() => rejected.length === 40, 5000, 'all 40 altered frames rejected');
  expect(received).toEqual([]);
  expect(new Set(rejected.map((r) => r.reason)).has('auth')).toBe(true);
  await a.close();
  await b.close();
});

it('rejects frames a relay forged, with or without a guessed secret', async () => {
  const relay = await hostileRelay((frame) => frame);
  const { a, b, received, rejected } = await pair(relay.url);
  relay.inject('b', 'a', await encodeFrame({ clusterId: 'r', message: heartbeat(1) }));
  relay.inject('b', 'a', await encodeFrame({ clusterId: 'r', message: heartbeat(2) }, { secret: 'guess' }));
  a.send(heartbeat(3));
  await waitFor(() => received.length === 1 && rejected.length === 2, 5000, 'one honest message, two forgeries rejected');
  expect(received[0]).toMatchObject({ commit: 3 });
  expect(rejected.map((r) => r.reason)).toEqual(['auth', 'auth']);
  await a.close();
  await b.close();
});

/**
 * A stranger in the cluster's room (a relay without room tokens, or a token holder who is no
 * member) sends members frames that fail to authenticate, as fast as the relay lets it. Each
 * refusal costs the member a decode and an HMAC check; after 32 within a second, the member
 * reads none of the stranger's frames for 5 s, and its peers' frames still arrive.
 */
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeFrame, type Message } from '@webraft/core';
import { waitFor } from '@webraft/core/testing';
import { startRelay, type Relay } from '../../src/relay/index.ts';
import { encodeEnvelope, EnvelopeKind, packBatch } from '../../src/protocol.ts';
import { webSocketTransport, type RelayTransport } from '../../src/index.ts';
import { openClient, relayUrl } from './attacks.ts';

let relay: Relay | undefined;
const transports: RelayTransport[] = [];

afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  await relay?.close();
  relay = undefined;
});

it('stops reading a sender whose frames keep failing, and still hears its peers', async () => {
  relay = await startRelay({ port: 0 });
  const common = { url: relay.url, room: 'cluster', WebSocket, secret: 'cluster secret' };
  const member = webSocketTransport({ ...common, nodeId: 'n1' });
  const peer = webSocketTransport({ ...common, nodeId: 'n2' });
  transports.push(member, peer);
  const received: Message[] = [];
  const rejected: { reason: string; detail: string }[] = [];
  await member.start({ message: (m) => received.push(m), rejected: (r) => rejected.push(r) });
  await peer.start({ message: () => undefined });

  const stranger = await openClient(relayUrl(relay.url, 'cluster', 'stranger'));
  const heartbeat = (from: string, term: number): Message => ({ type: 'heartbeat', from, to: 'n1', term, commit: 0, context: Uint8Array.of(1) });
  const forged = await encodeFrame({ clusterId: 'cluster', message: heartbeat('n2', Number.MAX_SAFE_INTEGER) }, { secret: 'a guess' });
  // Frames are checked as they come (with a secret, several at once): the first ones are refused.
  for (let i = 0; i < 100; i++) stranger.send(encodeEnvelope(EnvelopeKind.data, 'n1', forged));
  await waitFor(() => member.stats().rejected + member.stats().quarantined === 100, 5000, 'the first frames refused');
  const refusedFirst = member.stats().rejected;
  expect(refusedFirst).toBeGreaterThanOrEqual(32);
  // Then nothing of the stranger's is read: single frames, or batches of a hundred.
  for (let i = 0; i < 2000; i++) stranger.send(encodeEnvelope(EnvelopeKind.data, 'n1', forged));
  for (let i = 0; i < 200; i++) stranger.send(encodeEnvelope(EnvelopeKind.batch, 'n1', packBatch(Array.from({ length: 100 }, () => forged))));
  await waitFor(() => member.stats().quarantined === 2300 - refusedFirst, 10_000, 'the rest left unread');
  expect(member.stats().rejected).toBe(refusedFirst);
  expect(rejected.some((r) => r.detail.includes('frames from stranger refused within a second'))).toBe(true);

  peer.send(heartbeat('n2', 3) as Message & { from: 'n2' });
  await waitFor(() => received.length === 1, 5000, "the peer's heartbeat");
  expect(received[0]).toMatchObject({ from: 'n2', term: 3 });
  stranger.terminate();
});

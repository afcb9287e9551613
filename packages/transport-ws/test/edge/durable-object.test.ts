/**
 * What is particular to the Durable Object relay (its protocol is checked against every relay
 * by relay-protocol.test.ts): members that outlive their room object's eviction from memory
 * (hibernation), and its options from the Worker's environment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Message } from '@webraft/core';
import { waitFor } from '@webraft/core/testing';
import { relayOptionsFromEnv, RelayOptionsError } from '../../src/durable-object/index.ts';
import { EnvelopeKind } from '../../src/protocol.ts';
import { webSocketTransport, type RelayTransport } from '../../src/index.ts';
import { connectClient, type TestClient } from '../relay-client.ts';
import { adminToken, startWorkerdRelay, type WorkerdRelay } from './workerd-relay.ts';

let relay: WorkerdRelay | undefined;
const clients: TestClient[] = [];
const transports: RelayTransport[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const t of transports.splice(0)) await t.close();
  await relay?.stop();
  relay = undefined;
});

function join(room: string, node: string): TestClient {
  const client = connectClient(relay!.url, { room, node });
  clients.push(client);
  return client;
}

const heartbeat = (from: string, to: string, commit: number): Message => ({ type: 'heartbeat', from, to, term: 1, commit, context: Uint8Array.of(1) });

describe('hibernation', () => {
  it('keeps a room’s members through the eviction of its object: frames and presence go on', async () => {
    relay = await startWorkerdRelay();
    const received = new Map<string, Message[]>();
    for (const id of ['a', 'b', 'c']) {
      // Quiet clients: a keepalive only after a minute of silence, so the room goes idle.
      const transport = webSocketTransport({ url: relay.url, room: 'quiet', nodeId: id, WebSocket, secret: 'cluster secret', keepAliveMs: 60_000 });
      transports.push(transport);
      received.set(id, []);
      await transport.start({ message: (m) => received.get(id)!.push(m) });
    }
    await waitFor(() => transports.every((t) => t.peers.size === 2), 5000, 'everyone present');
    const before = await relay.roomStats('quiet');
    expect(before.nodes.toSorted()).toEqual(['a', 'b', 'c']);

    // workerd evicts an object after 10 s without an event; its hibernatable sockets stay open.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    transports[0]!.send(heartbeat('a', 'b', 7));
    await waitFor(() => received.get('b')!.length === 1, 5000, 'a frame through the woken object');
    expect(received.get('b')![0]).toMatchObject({ from: 'a', commit: 7 });
    const after = await relay.roomStats('quiet');
    // A new instance (its counters start again), which knew the members from their sockets' attachments.
    expect(after.since).toBeGreaterThan(before.since);
    expect(after.framesForwarded).toBe(1);
    expect(after.nodes.toSorted()).toEqual(['a', 'b', 'c']);
    expect(transports.every((t) => t.status.state === 'admitted')).toBe(true);

    // A newcomer is welcomed with the restored members; a leaver is announced to them.
    const d = join('quiet', 'd');
    expect((await d.welcome).toSorted()).toEqual(['a', 'b', 'c']);
    await waitFor(() => transports.every((t) => t.peers.has('d')), 5000, 'd announced');
    await transports[2]!.close();
    await d.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'c' && e.payload[0] === 0);
    transports[1]!.send(heartbeat('b', 'a', 8));
    await waitFor(() => received.get('a')!.some((m) => m.type === 'heartbeat' && m.commit === 8), 5000, 'b to a');
  }, 40_000);
});

describe('the Worker', () => {
  it('answers plain requests, keeps its admin API behind the token, and names a misconfiguration', async () => {
    relay = await startWorkerdRelay();
    const base = relay.url.replace('ws:', 'http:');
    expect((await fetch(base)).status).toBe(426);
    expect(await (await fetch(`${base}healthz`)).text()).toBe('ok\n');
    expect((await fetch(`${base}admin/stats`)).status).toBe(401);
    expect((await fetch(`${base}admin/stats`, { headers: { authorization: `Bearer ${adminToken}x` } })).status).toBe(401);
    expect((await fetch(`${base}admin/rooms/%ZZ`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(400);
    await relay.stop();

    relay = await startWorkerdRelay({ WEBRAFT_RELAY_MAX_MEMBERS: 'many' });
    const response = await fetch(relay.url.replace('ws:', 'http:'));
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('webraft relay: WEBRAFT_RELAY_MAX_MEMBERS must be a positive integer, got "many"\n');
  });
});

describe('relayOptionsFromEnv', () => {
  it('reads the WEBRAFT_RELAY_* variables and names one that does not read', () => {
    expect(
      relayOptionsFromEnv({
        WEBRAFT_RELAY_SECRET: 's',
        WEBRAFT_RELAY_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        WEBRAFT_RELAY_MAX_MEMBERS: '5',
        WEBRAFT_RELAY_ADMIN_TOKEN: 't',
        OTHER: 'ignored',
      }),
    ).toEqual({ tokenSecret: 's', allowedOrigins: ['https://a.example', 'https://b.example'], maxMembersPerRoom: 5, admin: { token: 't' } });
    expect(relayOptionsFromEnv({})).toEqual({});
    expect(() => relayOptionsFromEnv({ WEBRAFT_RELAY_MAX_FRAME_BYTES: '-1' })).toThrow(RelayOptionsError);
    expect(() => relayOptionsFromEnv({ WEBRAFT_RELAY_SECRET: 42 })).toThrow('WEBRAFT_RELAY_SECRET must be a string, got number');
  });
});

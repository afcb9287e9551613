/**
 * What members see when part of a relay cluster fails. A relay killed with SIGKILL: its
 * members are admitted elsewhere at once (nobody listens on its channel any more, so its hold
 * on their node ids is void), and those that do not come back leave the others' rooms once its
 * lease lapses. Redis killed, or stopped with its connections open: every relay closes its
 * clients with 4108 and says it is unhealthy, rather than carry on with rooms it can no longer see
 * whole; Redis back, rooms are whole again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { waitFor } from '@webraft/core/testing';
import { CloseCode, startRelay, type Relay } from '../../src/relay/index.ts';
import { EnvelopeKind } from '../../src/protocol.ts';
import { webSocketTransport, type RelayTransport } from '../../src/index.ts';
import { spawnRelay, type RelayProcess } from '../hostile/harness.ts';
import { connectClient, type TestClient } from '../relay-client.ts';
import { startRedis, type RedisProcess } from './redis.ts';

let redis: RedisProcess | undefined;
const processes: RelayProcess[] = [];
const relays: Relay[] = [];
const clients: TestClient[] = [];
const transports: RelayTransport[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  await redis?.stop();
  redis = undefined;
});

function join(url: string, room: string, node: string): TestClient {
  const client = connectClient(url, { room, node });
  clients.push(client);
  return client;
}

const left = (peer: string) => (e: { kind: number; peer: string; payload: Uint8Array }) =>
  e.kind === EnvelopeKind.presence && e.peer === peer && e.payload[0] === 0;

describe('a relay killed with SIGKILL', () => {
  it('lets its members in elsewhere at once, and its members that do not come back leave once its lease lapses', async () => {
    redis = await startRedis();
    // Short enough to see a lease lapse, long enough that a starved relay does not lose its own.
    const flags = ['--redis', redis.url, '--redis-lease-ms', '4000'];
    const [doomed, survivor] = await Promise.all([spawnRelay(flags), spawnRelay(flags)]);
    processes.push(doomed!, survivor!);
    const watcher = join(survivor!.url, 'room', 'watcher');
    await watcher.welcome;
    await join(doomed!.url, 'room', 'returns').welcome;
    await join(doomed!.url, 'room', 'vanishes').welcome;
    expect((await survivor!.stats()).cluster!.remoteMembers).toBe(2);

    await doomed!.stop();
    const killedAt = performance.now();
    // Its lease still stands, but nobody listens on its channel: the takeover probe fails at once.
    await join(survivor!.url, 'room', 'returns').welcome;
    expect(performance.now() - killedAt).toBeLessThan(3000);
    await watcher.waitFor(left('vanishes'), 15_000);
    expect(watcher.received.some(left('returns'))).toBe(false);
    expect((await survivor!.stats()).cluster!.remoteMembers).toBe(0);
  }, 30_000);
});

describe('Redis killed', () => {
  it('closes every client with 4108 and reports unhealthy, then shares rooms again once Redis is back', async () => {
    redis = await startRedis();
    const { port } = redis;
    const options = { port: 0, redis: redis.url };
    const [a, b] = await Promise.all([startRelay(options), startRelay(options)]);
    relays.push(a!, b!);
    const urls = [a!.url, b!.url];
    const start = async (nodeId: string, first: number): Promise<RelayTransport> => {
      const url = first === 0 ? urls : [...urls].reverse();
      const transport = webSocketTransport({ url, room: 'room', nodeId, WebSocket, backoff: { initialMs: 50, maxMs: 300 } });
      transports.push(transport);
      await transport.start({ message: () => undefined });
      return transport;
    };
    const x = await start('x', 0);
    const y = await start('y', 1);
    await waitFor(() => x.peers.has('y') && y.peers.has('x'), 5000, 'x and y see each other across relays');

    await redis.stop();
    await waitFor(() => x.status.lastClose?.code === CloseCode.clusterUnavailable && y.status.lastClose?.code === CloseCode.clusterUnavailable, 5000, 'both told 4108');
    expect(x.status.state).toBe('connecting');
    expect(x.status.error?.message).toMatch(/\(4108: the relay lost its connection to Redis/);
    expect(x.peers.size).toBe(0);
    const health = await fetch(`${a!.url.replace('ws:', 'http:')}healthz`);
    expect([health.status, await health.text()]).toEqual([503, 'redis unavailable\n']);
    expect((await join(b!.url, 'room', 'late').closed).code).toBe(CloseCode.clusterUnavailable);
    for (const relay of [a!, b!]) {
      expect(relay.stats().cluster).toMatchObject({ attached: false, detachments: 1 });
      expect(relay.stats().disconnected.clusterUnavailable).toBeGreaterThanOrEqual(1);
    }

    redis = await startRedis(port);
    await waitFor(() => x.status.state === 'admitted' && y.status.state === 'admitted', 10_000, 'both admitted again');
    await waitFor(() => x.peers.has('y') && y.peers.has('x'), 5000, 'x and y see each other again');
    expect((await fetch(`${b!.url.replace('ws:', 'http:')}healthz`)).status).toBe(200);
  }, 30_000);
});

describe('Redis that stops answering (SIGSTOP), its connections still open', () => {
  it('detaches the relays once their lease cannot be renewed, and attaches them again when it answers', async () => {
    redis = await startRedis();
    const relay = await startRelay({ port: 0, redis: redis.url, redisLeaseMs: 4000 });
    relays.push(relay);
    const client = join(relay.url, 'room', 'x');
    await client.welcome;
    const firstId = relay.stats().cluster!.relayId;
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const stoppedAt = performance.now();
      expect((await client.closed).code).toBe(CloseCode.clusterUnavailable);
      // Half the lease without a renewal (2 s here), not a TCP timeout (minutes); timers of a loaded machine run late.
      expect(performance.now() - stoppedAt).toBeLessThan(10_000);
      expect(relay.stats().cluster).toMatchObject({ attached: false, detachments: 1 });
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await waitFor(() => relay.stats().cluster!.attached, 10_000, 'attached again');
    expect(relay.stats().cluster!.relayId).not.toBe(firstId);
    expect(await join(relay.url, 'room', 'x').welcome).toEqual([]);
  }, 30_000);
});

/**
 * Handshakes with bad tokens, as fast as one host can send them. A refused handshake frees its
 * connection slot at once, and one address gets `maxHandshakesPerSecondPerAddress` (HTTP 429
 * beyond), so a client with a valid token still gets in every time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mintRoomToken, startRelay, type Relay, type RelayOptions } from '../../src/relay/index.ts';
import { badTokenHandshakes, openClient, relayUrl } from './attacks.ts';

const secret = 'relay secret';
let relay: Relay | undefined;

afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

/** Connects a valid client `times` times, one after the other, while `flood` runs; returns how many were admitted. */
async function validClientsDuringFlood(options: RelayOptions, times: number): Promise<{ admitted: number; attempts: number }> {
  relay = await startRelay({ port: 0, tokenSecret: secret, ...options });
  const token = await mintRoomToken(secret, { room: 'cluster', node: 'n1', expiresAt: Date.now() + 60_000 });
  const flood = badTokenHandshakes(relay.port, { concurrency: 128 });
  await new Promise((r) => setTimeout(r, 300));
  let admitted = 0;
  try {
    for (let i = 0; i < times; i++) {
      const ws = await openClient(relayUrl(relay.url, 'cluster', 'n1', token), '127.0.0.1').catch(() => undefined);
      if (ws === undefined) continue;
      admitted++;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await closed;
    }
  } finally {
    await flood.stop();
  }
  return { admitted, attempts: flood.attempts };
}

describe('a flood of handshakes with bad tokens', () => {
  it('keeps no slot: a valid client gets in every time, even with no per-address rate', async () => {
    const { admitted, attempts } = await validClientsDuringFlood({ maxConnections: 64, maxHandshakesPerSecondPerAddress: 1e9 }, 10);
    process.stderr.write(`bad-token handshakes, no per-address rate: ${attempts} sent; the valid client got in ${admitted} of 10 times\n`);
    expect(admitted).toBe(10);
    expect(relay!.stats().rejected.unauthorized).toBeGreaterThan(200);
  }, 30_000);

  it('is held to the per-address handshake rate (HTTP 429)', async () => {
    const { admitted, attempts } = await validClientsDuringFlood({ maxConnections: 64, maxHandshakesPerSecondPerAddress: 50 }, 10);
    const { rejected } = relay!.stats();
    process.stderr.write(`bad-token handshakes, 50/s per address: ${attempts} sent, ${rejected.unauthorized} reached the token check, ${rejected.handshakeRate} got 429\n`);
    expect(admitted).toBe(10);
    expect(rejected.handshakeRate).toBeGreaterThan(rejected.unauthorized);
  }, 30_000);

  it('gets no more than maxConnectionsPerAddress connections from one address (4103)', async () => {
    relay = await startRelay({ port: 0, maxConnectionsPerAddress: 3 });
    const held = await Promise.all([1, 2, 3].map((i) => openClient(relayUrl(relay!.url, 'r', `a${i}`))));
    await expect(openClient(relayUrl(relay.url, 'r', 'a4'))).rejects.toThrow('closed with 4103');
    await openClient(relayUrl(relay.url, 'r', 'elsewhere'), '127.0.0.3');
    held[0]!.close();
    await expect.poll(async () => (await openClient(relayUrl(relay!.url, 'r', 'a5')).then(() => true, () => false))).toBe(true);
    expect(relay.stats().rejected.addressLimit).toBeGreaterThanOrEqual(1);
  });
});

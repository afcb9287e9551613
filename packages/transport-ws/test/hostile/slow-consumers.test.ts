/**
 * Clients that do not read what the relay sends them. The relay bounds every queue, including
 * its own replies: keepalives are answered only while nothing is queued for the client, and a
 * client whose queue stays full is disconnected (4104). Measured on a relay process (its RSS)
 * shared by a 3-node cluster (its commit rate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/protocol.ts';
import { keepaliveFlood, stalledReceiver, streamOf } from './attacks.ts';
import { describeOutcome, expectKeptCommitting, Load, MiB, spawnAttack, spawnRelay, startCluster, underAttack, type Cluster, type RelayProcess } from './harness.ts';

const budget = 192 * MiB;
let relay: RelayProcess;
let cluster: Cluster;
let load: Load;

beforeAll(async () => {
  relay = await spawnRelay(['--max-memory-bytes', String(budget), '--max-bytes-per-second', String(16 * MiB), '--stall-timeout-ms', '1000']);
  cluster = await startCluster(relay.url);
  load = new Load(cluster);
  load.start();
  // JIT warm-up: the first seconds commit at a fraction of the steady rate.
  await load.rate(3000);
}, 30_000);

afterAll(async () => {
  await load?.stop();
  await cluster?.stop();
  await relay?.stop();
});

describe('clients that do not read', () => {
  it('keepalive floods get merged replies: the relay stays in budget and the cluster keeps committing', async () => {
    const outcome = await underAttack(relay, cluster, load, () => spawnAttack('keepaliveFlood', relay.url, { perSecond: 18_000 }), { measureMs: 2000, rampMs: 1000 });
    process.stderr.write(describeOutcome('keepalive flood, 18,000/s, never read', outcome, budget));
    expect(relay.alive).toBe(true);
    expect(outcome.peakRss).toBeLessThanOrEqual(budget);
    expectKeptCommitting(outcome);
    expect((await relay.stats()).keepalives.merged).toBeGreaterThan(30_000);
  }, 30_000);

  it('a client that reads nothing for 3 s while asking 18,000 times a second finds at most 50 replies a second queued', async () => {
    const flood = await keepaliveFlood(relay.url, { perSecond: 18_000 });
    try {
      await new Promise((r) => setTimeout(r, 3000));
      const [replies] = await flood.readReplies();
      expect(replies).toBeGreaterThanOrEqual(1);
      expect(replies).toBeLessThanOrEqual(200);
    } finally {
      await flood.stop();
    }
  }, 30_000);

  it('a receiver whose queue stays full is disconnected with 4104 and its memory returned', async () => {
    const outcome = await underAttack(relay, cluster, load, () => spawnAttack('stalledReceiver', relay.url), { measureMs: 2000 });
    process.stderr.write(describeOutcome('a stalled receiver flooded at 5,000 × 8 KiB/s', outcome, budget));
    expect(outcome.peakRss).toBeLessThanOrEqual(budget);
    expectKeptCommitting(outcome);
    const stats = await relay.stats();
    expect(stats.disconnected.slowConsumer).toBe(1);
    expect(stats.memory.held.queued).toBeLessThan(2 * MiB);
  }, 30_000);

  it('tells a client that reads again within the grace why it was dropped (4104)', async () => {
    const attack = await stalledReceiver(relay.url);
    const dropped = (await relay.stats()).disconnected.slowConsumer;
    try {
      await expect.poll(async () => (await relay.stats()).disconnected.slowConsumer, { timeout: 5000, interval: 50 }).toBe(dropped + 1);
      streamOf(attack.receiver).resume();
      expect(await attack.closed).toBe(CloseCode.slowConsumer);
    } finally {
      await attack.stop();
    }
  }, 30_000);
});

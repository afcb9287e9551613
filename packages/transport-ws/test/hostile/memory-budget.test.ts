/**
 * Messages sent all but their last byte, held open with unsolicited pongs: `ws` keeps every
 * byte until the message completes. The relay counts them against its memory budget and,
 * at the budget, drops the connections holding the most (4105); a message incomplete for
 * `stallTimeoutMs` drops its sender (4107). Measured on a relay process (RSS) shared by a
 * 3-node cluster (commit rate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { halfSentMessages } from './attacks.ts';
import { describeOutcome, expectKeptCommitting, Load, MiB, spawnAttack, spawnRelay, startCluster, underAttack, type Cluster, type RelayProcess } from './harness.ts';

const budget = 192 * MiB;
let relay: RelayProcess;
let cluster: Cluster;
let load: Load;

beforeAll(async () => {
  relay = await spawnRelay(['--max-memory-bytes', String(budget), '--max-bytes-per-second', String(16 * MiB), '--max-frame-bytes', String(MiB), '--stall-timeout-ms', '3000']);
  cluster = await startCluster(relay.url);
  load = new Load(cluster);
  load.start();
  await load.rate(3000);
}, 30_000);

afterAll(async () => {
  await load?.stop();
  await cluster?.stop();
  await relay?.stop();
});

describe('half-sent messages', () => {
  it('a message incomplete for stallTimeoutMs drops its sender (4107), pongs or not', async () => {
    const before = (await relay.stats()).disconnected.slowSender;
    const stop = await halfSentMessages(relay.url, { clients: 5, bytes: 64 * 1024 });
    try {
      await expect.poll(async () => (await relay.stats()).disconnected.slowSender, { timeout: 8000, interval: 200 }).toBe(before + 5);
      // Counted until their sockets are gone, a grace period later.
      await expect.poll(async () => (await relay.stats()).memory.held.incoming, { timeout: 3000, interval: 100 }).toBe(0);
    } finally {
      await stop();
    }
  }, 30_000);

  it('200 connections × 1 MiB held open: the relay stays in its budget, the cluster keeps committing', async () => {
    const attack = () => spawnAttack('halfSentMessages', relay.url, { clients: 200, bytes: MiB, addresses: 10 });
    const outcome = await underAttack(relay, cluster, load, attack, { measureMs: 2000, rampMs: 1500 });
    process.stderr.write(describeOutcome('200 half-sent 1 MiB messages kept alive with pongs', outcome, budget));
    const stats = await relay.stats();
    expect(relay.alive).toBe(true);
    expect(outcome.peakRss).toBeLessThanOrEqual(budget);
    expectKeptCommitting(outcome);
    expect(stats.disconnected.overBudget).toBeGreaterThan(0);
    expect(stats.memory.usedBytes).toBeLessThanOrEqual(budget);
  }, 60_000);
});

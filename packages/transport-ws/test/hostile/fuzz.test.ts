/**
 * The seeded protocol fuzzer (fuzzer.ts) against a relay process shared by a 3-node cluster:
 * the relay stays up and within its memory budget, the cluster keeps committing throughout,
 * and afterwards every member is back in the room and applies new commands.
 *
 * Replay a seed, or run longer: WEBRAFT_RELAY_FUZZ_SEED=7 WEBRAFT_RELAY_FUZZ_MS=30000 npx vitest run test/hostile/fuzz.test.ts
 * (WEBRAFT_RELAY_FUZZ_ONLY=halfSent,burst draws from those attacks only).
 */
import { afterAll, expect, it } from 'vitest';
import { waitFor } from '@webraft/core/testing';
import { Load, MiB, spawnFuzz, spawnRelay, startCluster, type Cluster, type RelayProcess } from './harness.ts';

const seed = Number(process.env.WEBRAFT_RELAY_FUZZ_SEED ?? 1);
const durationMs = Number(process.env.WEBRAFT_RELAY_FUZZ_MS ?? 15_000);
const only = process.env.WEBRAFT_RELAY_FUZZ_ONLY?.split(',');
const budget = 192 * MiB;
const maxFrameBytes = MiB;

let relay: RelayProcess | undefined;
let cluster: Cluster | undefined;
let load: Load | undefined;

afterAll(async () => {
  await load?.stop();
  await cluster?.stop();
  await relay?.stop();
});

it(`seed ${seed}: the relay stays in its budget and the cluster keeps committing`, async () => {
  relay = await spawnRelay(['--max-memory-bytes', String(budget), '--max-bytes-per-second', String(16 * MiB), '--max-frame-bytes', String(maxFrameBytes), '--stall-timeout-ms', '2000']);
  cluster = await startCluster(relay.url);
  load = new Load(cluster);
  load.start();
  await load.rate(3000);
  const baseline = await load.rate(2000);

  const windows: number[] = [];
  let last = load.commits;
  const sampler = setInterval(() => {
    windows.push(load!.commits - last);
    last = load!.commits;
  }, 1000);
  const stopWatch = relay.watchRss();
  let steps: string[] = [];
  try {
    steps = await spawnFuzz({ url: relay.url, room: cluster.room, members: cluster.nodes.map((n) => n.id), maxFrameBytes, ...(only && { only }) }, seed, durationMs);
  } finally {
    clearInterval(sampler);
  }
  const peakRss = stopWatch();
  const during = windows.reduce((a, b) => a + b, 0) / windows.length;
  const stats = await relay.stats();
  const report =
    `relay fuzz, seed ${seed}, ${steps.length} attacks in ${durationMs} ms: ${baseline.toFixed(0)} commits/s before, ` +
    `${during.toFixed(0)}/s during (slowest second ${Math.min(...windows)}), relay peak RSS ${(peakRss / MiB).toFixed(0)} MiB of ${budget / MiB} MiB; ` +
    `relay dropped ${JSON.stringify(stats.dropped)}, refused ${JSON.stringify(stats.rejected)}, disconnected ${JSON.stringify(stats.disconnected)}; ` +
    `members refused ${cluster.nodes.map((n) => n.transport.stats().rejected).join('/')} frames and left ${cluster.nodes.map((n) => n.transport.stats().quarantined).join('/')} unread, connected ${cluster.nodes.map((n) => n.transport.stats().relayConnections).join('/')} times, last close ${cluster.nodes.map((n) => JSON.stringify(n.transport.status.lastClose)).join(' ')}\n`;
  process.stderr.write(report);
  try {
    expect(relay.alive).toBe(true);
    expect(peakRss).toBeLessThanOrEqual(budget);
    // Never a second without commits, and a quarter of the rate or more on average, with up to
    // several attacks at once on a machine that runs the relay, the cluster and the attacker.
    expect(Math.min(...windows)).toBeGreaterThan(0);
    expect(during).toBeGreaterThanOrEqual(baseline / 4);
    await waitFor(() => cluster!.nodes.every((n) => n.transport.status.state === 'admitted'), 10_000, 'every member back in the room');
    const leader = cluster.nodes.find((n) => n.raft.isLeader) ?? cluster.nodes[0]!;
    await leader.raft.propose({ key: 'after', value: 'fuzz' }, { timeoutMs: 10_000 });
    await waitFor(() => cluster!.nodes.every((n) => n.raft.stateMachine.data.get('after') === 'fuzz'), 10_000, 'a command applied everywhere after the run');
  } catch (error) {
    process.stderr.write(
      `relay fuzz failed. Replay: WEBRAFT_RELAY_FUZZ_SEED=${seed} WEBRAFT_RELAY_FUZZ_MS=${durationMs}${only ? ` WEBRAFT_RELAY_FUZZ_ONLY=${only.join(',')}` : ''} npx vitest run test/hostile/fuzz.test.ts\n` +
        `steps:\n  ${steps.join('\n  ')}\n`,
    );
    throw error;
  }
}, 60_000);

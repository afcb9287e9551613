/**
 * sim.failover: in virtual time, how long a 3-node cluster (election timeout 150–300 ms,
 * heartbeat 50 ms, 1–5 ms links) takes from its leader's crash to a new leader that has
 * committed an entry of its term, over 1,000 seeds. Prints one JSON line (DESIGN.md
 * "Measuring"); the µs fields are virtual time.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envInfo, onlyPrefix, percentiles, printResult } from './lib.ts';

const SEEDS = 1000;
const only = onlyPrefix();

async function main(): Promise<void> {
  if (!'sim.failover'.startsWith(only)) return;
  const { Simulation } = await import('@webraft/sim');
  const { RawNode } = await import('@webraft/core');
  const samples: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const sim = new Simulation({
      seed,
      createCore: (options, restore) => new RawNode(options, restore),
      nodes: 3,
      tickMs: 10,
      electionTicks: 15,
      heartbeatTicks: 5,
      clockSkew: 0.02,
      network: { minDelayMs: 1, maxDelayMs: 5 },
    });
    const settled = (): boolean => {
      const leader = sim.leader();
      return leader !== undefined && sim.invariants.committedInTerm(leader);
    };
    await sim.ready();
    if (!(await sim.runUntil(5000, settled))) throw new Error(`seed ${seed}: no first leader`);
    // Crash at a random point of the heartbeat cycle.
    await sim.runUntil(sim.now + 200 + sim.random.between(0, 50));
    const old = sim.leader();
    if (old === undefined) throw new Error(`seed ${seed}: no leader to crash`);
    const crashedAt = sim.now;
    await sim.perform({ type: 'crash', node: old.id });
    const elected = await sim.runUntil(crashedAt + 10_000, () => {
      const leader = sim.leader();
      return leader !== undefined && leader.id !== old.id && sim.invariants.committedInTerm(leader);
    });
    if (!elected) throw new Error(`seed ${seed}: no new leader within 10 s`);
    samples.push(sim.now - crashedAt);
  }
  const { p50Us, p99Us, maxUs } = percentiles(samples.map((ms) => ms * 1000));
  const ms = (us: number): number => Math.round(us / 100) / 10;
  printResult({
    name: 'sim.failover',
    params: {
      seeds: SEEDS,
      nodes: 3,
      electionTimeoutMs: '150-300',
      heartbeatMs: 50,
      linkDelayMs: '1-5',
      clock: 'virtual',
      p50Ms: ms(p50Us),
      p99Ms: ms(p99Us),
      maxMs: ms(maxUs),
    },
    p50Us,
    p99Us,
    maxUs,
    peakHeapMB: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10,
    env: envInfo(),
  });
  process.stderr.write(`sim.failover: p50 ${ms(p50Us)} ms, p99 ${ms(p99Us)} ms, max ${ms(maxUs)} ms (virtual time)\n`);
}

// Workspace packages resolve to their sources only under the `source` condition.
if (import.meta.resolve('@webraft/core').endsWith('.ts')) {
  await main();
} else {
  const args = ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}

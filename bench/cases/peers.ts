// @results core.3node.rawcore core.3node.throughput.serial core.3node.latency
// Other JavaScript Raft libraries on the workload of `core.3node.*`: 3 voters in one process,
// memory storage, in-process delivery, 16-byte commands. Each result carries `peer` and is
// named after the webraft result it is compared with:
//   @coaty/consensus.raft is a bare core (a port of etcd's raft) driven in a synchronous
//     ready loop, so it is compared with webraft's bare core in the same loop:
//     core.3node.rawcore.{throughput,latency,window}.
//   @markwylde/liferaft is a whole node (its own timers, Promises and message passing), so it
//     is compared with RaftNode: core.3node.latency, and core.3node.throughput.serial (one
//     command at a time, since it cannot take more; see the note below).
import { createRequire } from 'node:module';
import { ensurePeersInstalled } from '../peers/install.mjs';
import { cpuSince, envInfo, onlyPrefix, percentiles, printResult } from './lib.ts';

interface PeerDriver {
  throughput(o: { total: number; inflight: number; payloadBytes: number }): { opsPerSec: number } | Promise<{ opsPerSec: number }>;
  latency(o: { count: number; payloadBytes: number }): number[] | Promise<number[]>;
}

const only = onlyPrefix();
const wanted = (name: string) => name.startsWith(only);
const payloadBytes = 16;

ensurePeersInstalled();
const require = createRequire(new URL('../peers/', import.meta.url));

const rounds = Number(process.env.CORE_BENCH_ROUNDS ?? 3);

/** Best of `rounds` runs, as core.ts measures webraft: the highest throughput, the lowest p99. */
async function measureThroughput(name: string, peer: string, driver: PeerDriver, total: number, inflight: number, note?: string, times = rounds): Promise<void> {
  let best: { opsPerSec: number; cpuSeconds: number } | undefined;
  for (let i = 0; i < times; i++) {
    const cpu = process.cpuUsage();
    const { opsPerSec } = await driver.throughput({ total, inflight, payloadBytes });
    const cpuSeconds = cpuSince(cpu);
    if (best === undefined || opsPerSec > best.opsPerSec) best = { opsPerSec, cpuSeconds };
  }
  const params = { voters: 3, inflight, payloadBytes, total, cpuSeconds: best!.cpuSeconds, rounds: times, ...(note ? { note } : {}) };
  printResult({ name, peer, params, opsPerSec: Math.round(best!.opsPerSec), env: envInfo() });
}

async function measureLatency(name: string, peer: string, driver: PeerDriver, count: number): Promise<void> {
  let best: ReturnType<typeof percentiles> | undefined;
  for (let i = 0; i < rounds; i++) {
    const stats = percentiles(await driver.latency({ count, payloadBytes }));
    if (best === undefined || stats.p99Us < best.p99Us) best = stats;
  }
  printResult({ name, peer, params: { voters: 3, payloadBytes, count, rounds }, ...best!, env: envInfo() });
}

const coaty = { peer: '@coaty/consensus.raft', driver: require('./coaty.cjs') as PeerDriver };
// The totals of core.ts, so both sides run the same number of commands.
const coatyTotal = Number(process.env.CORE_BENCH_TOTAL ?? 200_000);
if (wanted('core.3node.rawcore.throughput')) await measureThroughput('core.3node.rawcore.throughput', coaty.peer, coaty.driver, coatyTotal, 1000);
if (wanted('core.3node.rawcore.latency')) await measureLatency('core.3node.rawcore.latency', coaty.peer, coaty.driver, 10_000);
if (wanted('core.3node.rawcore.window')) {
  // The windows and totals of core.ts's rawcore.window.
  for (const inflight of [1, 10, 100, 1000, 4000]) {
    await measureThroughput('core.3node.rawcore.window', coaty.peer, coaty.driver, Math.min(coatyTotal, Math.max(50_000, inflight * 100)), inflight, undefined, 1);
  }
}

// liferaft's `command()` reads the last index, awaits, then writes the entry at last + 1
// (log.js `saveCommand`): two commands issued together get the same index and one overwrites
// the other, so its commit never comes (a run with 2 in flight does not finish). It is
// therefore measured with one command in flight.
const liferaft = { peer: '@markwylde/liferaft', driver: require('./liferaft.cjs') as PeerDriver };
const liferaftNote = 'concurrent commands overwrite each other (same index); measured with 1 in flight';
if (wanted('core.3node.throughput.serial')) await measureThroughput('core.3node.throughput.serial', liferaft.peer, liferaft.driver, 2000, 1, liferaftNote);
if (wanted('core.3node.latency')) await measureLatency('core.3node.latency', liferaft.peer, liferaft.driver, 1000);
process.exit(0);

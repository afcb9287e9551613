// Other JavaScript Raft libraries on the workload of `core.3node.*`: 3 voters in one process,
// memory storage, in-process delivery, 16-byte commands. Each result carries `peer`.
import { createRequire } from 'node:module';
import { ensurePeersInstalled } from '../peers/install.mjs';
import { envInfo, onlyPrefix, percentiles, printResult } from './lib.ts';

interface PeerDriver {
  throughput(o: { total: number; inflight: number; payloadBytes: number }): { opsPerSec: number } | Promise<{ opsPerSec: number }>;
  latency(o: { count: number; payloadBytes: number }): number[] | Promise<number[]>;
}

const only = onlyPrefix();
const wanted = (name: string) => name.startsWith(only) || only.startsWith(name);
if (!wanted('core.3node.throughput') && !wanted('core.3node.latency')) process.exit(0);

ensurePeersInstalled();
const require = createRequire(new URL('../peers/', import.meta.url));

const peers: Array<{ peer: string; driver: PeerDriver; total: number; inflight: number; latencyCount: number; note?: string }> = [
  { peer: '@coaty/consensus.raft', driver: require('./coaty.cjs'), total: 100_000, inflight: 1000, latencyCount: 5000 },
  {
    peer: '@markwylde/liferaft',
    driver: require('./liferaft.cjs'),
    total: 2000,
    // Commands issued while an earlier one is still being saved are lost by this library
    // (the run never completes with 10 in flight), so it is measured one at a time.
    inflight: 1,
    latencyCount: 1000,
    note: 'loses concurrently issued commands; measured with 1 in flight',
  },
];

for (const { peer, driver, total, inflight, latencyCount, note } of peers) {
  const payloadBytes = 16;
  if (wanted('core.3node.throughput')) {
    const { opsPerSec } = await driver.throughput({ total, inflight, payloadBytes });
    printResult({ name: 'core.3node.throughput', peer, params: { voters: 3, inflight, payloadBytes, total, ...(note ? { note } : {}) }, opsPerSec, env: envInfo() });
  }
  if (wanted('core.3node.latency')) {
    const samples = await driver.latency({ count: latencyCount, payloadBytes });
    printResult({ name: 'core.3node.latency', peer, params: { voters: 3, payloadBytes, count: latencyCount }, ...percentiles(samples), env: envInfo() });
  }
}
process.exit(0);

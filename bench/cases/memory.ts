// @results core.memory
// `core.memory.snapshots`: three RaftNode voters in one process (MemoryLogStore, in-memory
// transport, snapshots every 10,000 applied entries, 1,000 entries kept behind a snapshot),
// 1,000,000 16-byte proposals with 1,000 in flight. Every 50,000 proposals the heap is
// measured after a full GC (the runner passes --expose-gc): with snapshots compacting the
// log, those samples must stay flat instead of growing with the number of proposals.
import { MemoryLogStore, RaftNode, bytesCodec, type StateMachine } from '../../packages/core/src/index.ts';
import { createMemoryNetwork } from '../../packages/core/src/testing/index.ts';
import { cpuSince, envInfo, heapMB, onlyPrefix, printResult } from './lib.ts';

if (!'core.memory.snapshots'.startsWith(onlyPrefix())) process.exit(0);

class CounterMachine implements StateMachine<Uint8Array, number> {
  applied = 0;
  apply(): number {
    return ++this.applied;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(String(this.applied));
  }
  restore(data: Uint8Array): void {
    this.applied = Number(new TextDecoder().decode(data));
  }
}

const total = Number(process.env.MEMORY_BENCH_TOTAL ?? 1_000_000);
const sampleEvery = 50_000;
const snapshotEvery = 10_000;
const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error('core.memory.snapshots needs --expose-gc (npm run bench passes it)');

const ids = ['n1', 'n2', 'n3'];
const network = createMemoryNetwork();
const nodes: RaftNode<CounterMachine>[] = [];
for (const id of ids) {
  const node = await RaftNode.create({
    id,
    members: ids,
    stateMachine: new CounterMachine(),
    log: new MemoryLogStore(),
    transport: network.transport(id),
    commandCodec: bytesCodec,
    snapshotEvery,
  });
  await node.start();
  nodes.push(node);
}
nodes[0]!.campaign();
const leader = nodes.find((n) => n.id === nodes[0]!.id)!;
await leader.waitForLeader({ timeoutMs: 10_000 });
await leader.read();

const samples: number[] = [];
/** Bytes held in ArrayBuffers (entry bytes live there, outside the JS heap), sampled alongside. */
const bufferSamples: number[] = [];
const sample = (): void => {
  collect();
  samples.push(Math.round(heapMB() * 10) / 10);
  bufferSamples.push(Math.round((process.memoryUsage().arrayBuffers / (1024 * 1024)) * 10) / 10);
};
sample();
const payload = new Uint8Array(16);
let peak = heapMB();
let issued = 0;
let done = 0;
const started = performance.now();
const cpu = process.cpuUsage();
await new Promise<void>((resolve, reject) => {
  const issue = (): void => {
    issued++;
    leader.propose(payload).then(() => {
      done++;
      if (done % 10_000 === 0) peak = Math.max(peak, heapMB());
      if (done % sampleEvery === 0) sample();
      if (issued < total) issue();
      else if (done === total) resolve();
    }, reject);
  };
  for (let i = 0; i < 1000; i++) issue();
});
const seconds = (performance.now() - started) / 1000;
const cpuSeconds = cpuSince(cpu);
const snapshotsTaken = nodes.map((n) => n.status().metrics.snapshotsTaken);
await Promise.all(nodes.map((n) => n.stop()));

const quarter = Math.max(1, Math.floor(samples.length / 4));
const mean = (xs: number[]): number => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
const firstQuarterMB = mean(samples.slice(1, 1 + quarter));
const lastQuarterMB = mean(samples.slice(-quarter));
printResult({
  name: 'core.memory.snapshots',
  params: {
    voters: 3,
    total,
    inflight: 1000,
    payloadBytes: 16,
    snapshotEvery,
    snapshotsTaken,
    cpuSeconds,
    heapAfterGcMB: samples,
    arrayBuffersAfterGcMB: bufferSamples,
    firstQuarterMB,
    lastQuarterMB,
    perNodeLastQuarterMB: Math.round((lastQuarterMB / 3) * 10) / 10,
  },
  opsPerSec: Math.round(total / seconds),
  peakHeapMB: Math.round(peak * 10) / 10,
  env: envInfo(),
});
process.stderr.write(`core.memory.snapshots: heap after GC every ${sampleEvery} proposals (MB, process, 3 nodes): ${samples.join(' ')}\n`);
process.stderr.write(`core.memory.snapshots: ArrayBuffers after GC (MB): ${bufferSamples.join(' ')}\n`);
process.exit(0);

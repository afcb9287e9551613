// @results core.3node
// `core.3node.*`: three RaftNode voters in one process on MemoryLogStore and the in-memory
// transport, real timers (tick 50 ms), 16-byte commands proposed on the leader.
//   throughput: `total` proposals with 1,000 outstanding; commands committed and applied
//               on all three nodes per second.
//   throughput.batched: the same with `maxBatchCommands: 256` (commands share log entries).
//   throughput.serial: one proposal at a time (the latency run), commands per second.
//   latency:    one proposal at a time; propose → resolved with the apply result, in µs.
//   window / batched.window: throughput against the number of proposals in flight.
//   rawcore.*:  three bare RawNodes stepped synchronously in one ready loop (no RaftNode, store,
//               transport or Promise): the ceiling the pure core sets on the rows above, and
//               the figure to set beside peers that are bare cores too (bench/cases/peers.ts).
// `params.cpuSeconds` is the process CPU time of the reported run; on a busy machine
// wall-clock figures drop while ops per CPU second stay comparable. Throughput and latency
// results are the best of `rounds` runs (CORE_BENCH_ROUNDS, default 3; windows: 1 run).
import { MemoryLogStore, RaftNode, RawNode, bytesCodec, type Message, type StateMachine } from '../../packages/core/src/index.ts';
import { createMemoryNetwork } from '../../packages/core/src/testing/index.ts';
import { bestOf, cpuSince, envInfo, heapMB, onlyPrefix, percentiles, printResult } from './lib.ts';

const only = onlyPrefix();
const wanted = (name: string) => name.startsWith(only);

/** Sums the commands' first bytes: cheap, but every command really reaches it. */
class CounterMachine implements StateMachine<Uint8Array, number> {
  applied = 0;
  sum = 0;
  apply(command: Uint8Array): number {
    this.applied++;
    this.sum += command[0] ?? 0;
    return this.applied;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([this.applied, this.sum]));
  }
  restore(data: Uint8Array): void {
    [this.applied, this.sum] = JSON.parse(new TextDecoder().decode(data)) as [number, number];
  }
}

type BenchNode = RaftNode<CounterMachine>;

async function startCluster(maxBatchCommands = 1): Promise<{ nodes: BenchNode[]; leader: BenchNode; stop: () => Promise<void> }> {
  const ids = ['n1', 'n2', 'n3'];
  const network = createMemoryNetwork();
  const nodes: BenchNode[] = [];
  for (const id of ids) {
    const node = await RaftNode.create({
      id,
      members: ids,
      stateMachine: new CounterMachine(),
      log: new MemoryLogStore(),
      transport: network.transport(id),
      commandCodec: bytesCodec,
      tickMs: 50,
      maxBatchCommands,
    });
    await node.start();
    nodes.push(node);
  }
  nodes[0]!.campaign();
  const leaderId = await nodes[0]!.waitForLeader({ timeoutMs: 10_000 });
  const leader = nodes.find((n) => n.id === leaderId)!;
  // Let the new leader's no-op commit before measuring.
  await leader.read();
  return { nodes, leader, stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))) };
}

function command(i: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  new DataView(out.buffer).setUint32(0, i);
  return out;
}

interface Measured {
  opsPerSec: number;
  cpuSeconds: number;
  peakHeapMB: number;
}

async function runThroughput(total: number, inflight: number, payloadBytes: number, maxBatchCommands: number): Promise<Measured> {
  const { nodes, leader, stop } = await startCluster(maxBatchCommands);
  const commands = Array.from({ length: 1024 }, (_, i) => command(i, payloadBytes));
  const base = nodes.map((n) => n.stateMachine.applied);
  let peakHeap = heapMB();
  let issued = 0;
  let done = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    const next = (): void => {
      done++;
      if (done % 10_000 === 0) peakHeap = Math.max(peakHeap, heapMB());
      if (issued < total) issue();
      else if (done === total) resolve();
    };
    const issue = (): void => {
      leader.propose(commands[issued++ & 1023]!).then(next, reject);
    };
    for (let i = 0; i < inflight && issued < total; i++) issue();
  });
  const allApplied = (): boolean => nodes.every((n, i) => n.stateMachine.applied - base[i]! >= total);
  while (!allApplied()) await new Promise((r) => setImmediate(r));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  peakHeap = Math.max(peakHeap, heapMB());
  await stop();
  return { opsPerSec: Math.round(total / seconds), cpuSeconds, peakHeapMB: Math.round(peakHeap * 10) / 10 };
}

async function throughput(name: string, total: number, inflight: number, payloadBytes: number, maxBatchCommands: number, rounds: number): Promise<void> {
  const best = await bestOf(rounds, () => runThroughput(total, inflight, payloadBytes, maxBatchCommands));
  printResult({
    name,
    params: { voters: 3, inflight, payloadBytes, total, maxBatchCommands, cpuSeconds: best.cpuSeconds, rounds },
    opsPerSec: best.opsPerSec,
    peakHeapMB: best.peakHeapMB,
    env: envInfo(),
  });
}

/** One proposal at a time: latency percentiles, and the commands per second that gives. */
async function runLatency(count: number, payloadBytes: number): Promise<{ samples: number[]; seconds: number; cpuSeconds: number; peakHeapMB: number }> {
  const { leader, stop } = await startCluster();
  const payload = command(0, payloadBytes);
  for (let i = 0; i < 500; i++) await leader.propose(payload);
  const samples: number[] = [];
  let peakHeap = heapMB();
  const cpu = process.cpuUsage();
  const begun = performance.now();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await leader.propose(payload);
    samples.push((performance.now() - started) * 1000);
    if (i % 1000 === 0) peakHeap = Math.max(peakHeap, heapMB());
  }
  const seconds = (performance.now() - begun) / 1000;
  const cpuSeconds = cpuSince(cpu);
  await stop();
  return { samples, seconds, cpuSeconds, peakHeapMB: Math.round(peakHeap * 10) / 10 };
}

async function latency(count: number, payloadBytes: number, rounds: number): Promise<void> {
  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(await runLatency(count, payloadBytes));
  // Best of the rounds by p99 for latency, by wall time for the serial throughput.
  const byP99 = runs.map((r) => ({ run: r, stats: percentiles(r.samples) })).sort((a, b) => a.stats.p99Us - b.stats.p99Us)[0]!;
  const fastest = [...runs].sort((a, b) => a.seconds - b.seconds)[0]!;
  if (wanted('core.3node.latency')) {
    const params = { voters: 3, payloadBytes, inflight: 1, count, rounds };
    printResult({ name: 'core.3node.latency', params, ...byP99.stats, peakHeapMB: byP99.run.peakHeapMB, env: envInfo() });
  }
  if (wanted('core.3node.throughput.serial')) {
    const params = { voters: 3, payloadBytes, inflight: 1, total: count, cpuSeconds: fastest.cpuSeconds, rounds };
    printResult({ name: 'core.3node.throughput.serial', params, opsPerSec: Math.round(count / fastest.seconds), env: envInfo() });
  }
}

/** Three RawNodes, every Ready handled at once and every message delivered synchronously. */
function rawCluster(): { leader: RawNode; pump: () => number } {
  const ids = ['n1', 'n2', 'n3'];
  const bootstrap = { voters: ids, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  // The loop walks arrays (not Map entries) so that it costs little beside the cores; the
  // peer's loop (bench/peers/coaty.cjs) is written the same way.
  const list = ids.map((id) => new RawNode({ id, random: Math.random }, { bootstrap }));
  const cores = new Map(ids.map((id, i) => [id, list[i]!]));
  /** Runs until quiet; returns the entries committed on n1 meanwhile. */
  const pump = (): number => {
    let committed = 0;
    for (let busy = true; busy; ) {
      busy = false;
      const messages: Message[] = [];
      for (let i = 0; i < list.length; i++) {
        const core = list[i]!;
        while (core.hasReady()) {
          busy = true;
          const ready = core.ready();
          core.advance(ready);
          for (const m of ready.messages) messages.push(m);
          if (ready.seq !== 0) core.persisted(ready.seq);
          for (const m of ready.messagesAfterPersist) messages.push(m);
          const last = ready.committedEntries.at(-1);
          if (last !== undefined) core.appliedTo(last.index);
          if (i === 0) committed += ready.committedEntries.length;
        }
      }
      for (const m of messages) cores.get(m.to)!.step(m);
    }
    return committed;
  };
  const leader = cores.get('n1')!;
  leader.campaign();
  pump();
  return { leader, pump };
}

function runRawThroughput(total: number, inflight: number, payloadBytes: number): Measured {
  const { leader, pump } = rawCluster();
  const data = command(0, payloadBytes);
  let committed = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let sent = 0; sent < total; sent += inflight) {
    for (let i = 0; i < inflight; i++) leader.propose(data);
    committed += pump();
  }
  const seconds = (performance.now() - started) / 1000;
  return { opsPerSec: Math.round(committed / seconds), cpuSeconds: cpuSince(cpu), peakHeapMB: Math.round(heapMB() * 10) / 10 };
}

async function rawThroughput(name: string, total: number, inflight: number, payloadBytes: number, rounds: number): Promise<void> {
  const best = await bestOf(rounds, () => runRawThroughput(total, inflight, payloadBytes));
  printResult({ name, params: { voters: 3, inflight, payloadBytes, total, cpuSeconds: best.cpuSeconds, rounds }, opsPerSec: best.opsPerSec, env: envInfo() });
}

function runRawLatency(count: number, payloadBytes: number): number[] {
  const { leader, pump } = rawCluster();
  const data = command(0, payloadBytes);
  for (let i = 0; i < 500; i++) {
    leader.propose(data);
    pump();
  }
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    leader.propose(data);
    if (pump() !== 1) throw new Error('rawcore latency: the proposal did not commit in one pump');
    samples.push((performance.now() - started) * 1000);
  }
  return samples;
}

function rawLatency(count: number, payloadBytes: number, rounds: number): void {
  const best = Array.from({ length: rounds }, () => percentiles(runRawLatency(count, payloadBytes))).sort((a, b) => a.p99Us - b.p99Us)[0]!;
  printResult({ name: 'core.3node.rawcore.latency', params: { voters: 3, payloadBytes, count, rounds }, ...best, env: envInfo() });
}

const total = Number(process.env.CORE_BENCH_TOTAL ?? 200_000);
const rounds = Number(process.env.CORE_BENCH_ROUNDS ?? 3);
const windows = [1, 10, 100, 1000, 4000];
/** Enough commands for a stable figure at each window, without letting small windows run for long. */
const windowTotal = (inflight: number): number => Math.min(total, Math.max(50_000, inflight * 100));
// The bare core first, in a fresh process as the peers' are (bench/cases/peers.ts); 16-byte
// commands, as in the RaftNode rows and the peers' runs.
if (wanted('core.3node.rawcore.throughput')) await rawThroughput('core.3node.rawcore.throughput', total, 1000, 16, rounds);
if (wanted('core.3node.rawcore.latency')) rawLatency(10_000, 16, rounds);
if (wanted('core.3node.throughput')) await throughput('core.3node.throughput', total, 1000, 16, 1, rounds);
// The same workload with up to 256 commands per log entry (RaftNode's `maxBatchCommands`).
if (wanted('core.3node.throughput.batched')) await throughput('core.3node.throughput.batched', total, 1000, 16, 256, rounds);
if (wanted('core.3node.latency') || wanted('core.3node.throughput.serial')) await latency(10_000, 16, rounds);
for (const inflight of windows) {
  if (wanted('core.3node.window')) await throughput('core.3node.window', windowTotal(inflight), inflight, 16, 1, 1);
  if (wanted('core.3node.batched.window')) await throughput('core.3node.batched.window', windowTotal(inflight), inflight, 16, 256, 1);
  if (wanted('core.3node.rawcore.window')) await rawThroughput('core.3node.rawcore.window', windowTotal(inflight), inflight, 16, 1);
}
process.exit(0);

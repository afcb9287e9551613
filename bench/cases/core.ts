// `core.3node.*`: three RaftNode voters in one process on MemoryLogStore and the in-memory
// transport, real timers, 16-byte commands proposed on the leader.
//   throughput: `total` proposals with `inflight` outstanding; commands committed and applied
//               on all three nodes per second.
//   throughput.batched: the same with `maxBatchCommands: 256` (commands share log entries).
//   latency:    one proposal at a time; propose → resolved with the apply result, in µs.
//   rawcore.throughput: three bare RawNodes stepped synchronously (no RaftNode, store, transport
//               or Promise): the ceiling the pure core sets on the first result.
// `params.cpuSeconds` is the process CPU time of the run; on a busy machine wall-clock figures
// drop while ops per CPU second stay comparable.
import { MemoryLogStore, RaftNode, RawNode, bytesCodec, createMemoryNetwork, type Message, type StateMachine } from '../../packages/core/src/index.ts';
import { envInfo, onlyPrefix, percentiles, printResult } from './lib.ts';

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

function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return Math.round((user + system) / 1e4) / 100;
}

function heapMB(): number {
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

async function throughput(name: string, total: number, inflight: number, payloadBytes: number, maxBatchCommands: number): Promise<void> {
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
  printResult({
    name,
    params: { voters: 3, inflight, payloadBytes, total, maxBatchCommands, cpuSeconds },
    opsPerSec: Math.round(total / seconds),
    peakHeapMB: Math.round(peakHeap * 10) / 10,
    env: envInfo(),
  });
  process.stderr.write(`${name}: ${total} commands in ${seconds.toFixed(2)} s\n`);
}

async function latency(count: number, payloadBytes: number): Promise<void> {
  const { leader, stop } = await startCluster();
  const payload = command(0, payloadBytes);
  for (let i = 0; i < 500; i++) await leader.propose(payload);
  const samples: number[] = [];
  let peakHeap = heapMB();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await leader.propose(payload);
    samples.push((performance.now() - started) * 1000);
    if (i % 1000 === 0) peakHeap = Math.max(peakHeap, heapMB());
  }
  await stop();
  printResult({
    name: 'core.3node.latency',
    params: { voters: 3, payloadBytes, count },
    ...percentiles(samples),
    peakHeapMB: Math.round(peakHeap * 10) / 10,
    env: envInfo(),
  });
}

/** Three RawNodes, every Ready handled at once and every message delivered synchronously. */
function rawCoreThroughput(total: number, inflight: number, payloadBytes: number): void {
  const ids = ['n1', 'n2', 'n3'];
  const bootstrap = { voters: ids, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  const cores = new Map(ids.map((id) => [id, new RawNode({ id, random: Math.random }, { bootstrap })]));
  let committed = 0;
  const pump = (): void => {
    for (let busy = true; busy; ) {
      busy = false;
      const messages: Message[] = [];
      for (const [id, core] of cores) {
        while (core.hasReady()) {
          busy = true;
          const ready = core.ready();
          core.advance(ready);
          for (const m of ready.messages) messages.push(m);
          if (ready.seq !== 0) core.persisted(ready.seq);
          for (const m of ready.messagesAfterPersist) messages.push(m);
          const last = ready.committedEntries.at(-1);
          if (last !== undefined) core.appliedTo(last.index);
          if (id === 'n1') committed += ready.committedEntries.length;
        }
      }
      for (const m of messages) cores.get(m.to)!.step(m);
    }
  };
  const leader = cores.get('n1')!;
  leader.campaign();
  pump();
  committed = 0;
  const data = command(0, payloadBytes + 14);
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let sent = 0; sent < total; sent += inflight) {
    for (let i = 0; i < inflight; i++) leader.propose(data);
    pump();
  }
  const seconds = (performance.now() - started) / 1000;
  printResult({
    name: 'core.3node.rawcore.throughput',
    params: { voters: 3, inflight, payloadBytes: payloadBytes + 14, total, cpuSeconds: cpuSince(cpu) },
    opsPerSec: Math.round(committed / seconds),
    env: envInfo(),
  });
}

const total = Number(process.env.CORE_BENCH_TOTAL ?? 300_000);
if (wanted('core.3node.throughput')) await throughput('core.3node.throughput', total, 1000, 16, 1);
// The same workload with up to 256 commands per log entry (RaftNode's `maxBatchCommands`).
if (wanted('core.3node.throughput.batched')) await throughput('core.3node.throughput.batched', total, 1000, 16, 256);
if (wanted('core.3node.latency')) await latency(10_000, 16);
// About what the RaftNode envelope adds to a 16-byte command of a node with a 2-byte id.
if (wanted('core.3node.rawcore.throughput')) rawCoreThroughput(total, 1000, 16);
process.exit(0);

// `relay.3proc.*`: three RaftNode voters, each in its own Node process, talking through one
// relay (in this process) over loopback WebSockets; MemoryLogStore, 16-byte commands proposed
// on the leader, no cluster secret unless RELAY_BENCH_SECRET is set.
//   throughput: `total` proposals with 1,000 outstanding; proposals resolved (committed by a
//               quorum and applied on the leader) per second.
//   throughput.batched: the same with `maxBatchCommands: 256`.
//   latency:    one proposal at a time; propose → resolved, in µs.
// Each result is the best of `rounds` runs on the same cluster (RELAY_BENCH_ROUNDS, default 3),
// as in core.ts; every round's figure is in `params` (…ByRound). `params.cpuSeconds` is the CPU
// time of all four processes during the best run, `params.cpuByProcess` the same per process,
// `params.relayMessages` the WebSocket messages the relay forwarded in it.
// This file is also the node process: `relay.ts --node ID --url URL`; `relay-redis.ts` drives
// the same node processes through relays sharing rooms in Redis (`startCluster`).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envInfo, onlyPrefix, percentiles, printResult } from './lib.ts';

const argv = process.argv.slice(2);
const ids = ['n1', 'n2', 'n3'];
const secret = process.env.RELAY_BENCH_SECRET;

type Request = { cmd: 'campaign' } | { cmd: 'throughput'; total: number; inflight: number } | { cmd: 'latency'; count: number } | { cmd: 'cpu' } | { cmd: 'stop' };
type Reply =
  | { kind: 'ready' }
  | { kind: 'cpu'; seconds: number }
  | { kind: 'leader'; leader: string }
  | { kind: 'throughput'; seconds: number; peakHeapMB: number }
  | { kind: 'latency'; samplesUs: number[]; peakHeapMB: number };

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (argv.includes('--node')) {
    const arg = (flag: string): string => argv[argv.indexOf(flag) + 1]!;
    await runNode(arg('--node'), arg('--url'), arg('--room'), Number(arg('--batch')));
  } else {
    await orchestrate();
  }
}

export interface Cluster {
  /** One run on the leader: `total` proposals with 1,000 in flight. */
  throughputRun(total: number): Promise<ThroughputRun>;
  /** One run on the leader: `count` proposals one at a time, after a warm-up of 200. */
  latencyRun(count: number): Promise<LatencyRun>;
  /** Prints the fastest of `runs` as `name` (with `peer` when given), every run's figure in `params`. */
  printThroughput(name: string, total: number, runs: readonly ThroughputRun[], peer?: string): Promise<void>;
  /** Prints the run with the lowest p99 of `runs`. */
  printLatency(name: string, count: number, runs: readonly LatencyRun[], peer?: string): void;
  /** `rounds` throughput runs, printed. */
  throughput(name: string, total: number, rounds: number, peer?: string): Promise<void>;
  /** `rounds` latency runs, printed. */
  latency(name: string, count: number, rounds: number, peer?: string): Promise<void>;
  stop(): Promise<void>;
}

interface CpuSpent {
  /** CPU seconds of every process during the run. */
  readonly cpuSeconds: number;
  readonly cpuByProcess: Record<string, number>;
  /** WebSocket messages the relays forwarded during the run. */
  readonly relayMessages: number;
}

export interface ThroughputRun extends CpuSpent {
  readonly opsPerSec: number;
  readonly seconds: number;
  readonly peakHeapMB: number;
}

export interface LatencyRun extends CpuSpent {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  readonly peakHeapMB: number;
}

export interface ClusterSetup {
  /** The relay of each node: n1 → urls[0], n2 → urls[1 % length], ... */
  readonly urls: readonly string[];
  readonly room: string;
  readonly maxBatchCommands: number;
  /** WebSocket messages the relays have forwarded so far (all rooms). */
  readonly relayMessages: () => number | Promise<number>;
  /** CPU seconds used so far by the processes other than the nodes (relays, Redis), by name. */
  readonly otherCpu: () => Record<string, number> | Promise<Record<string, number>>;
  /** Added to every result's `params`. */
  readonly params?: Record<string, unknown>;
}

/** Three node processes, each connected to its relay; n1 campaigns and leads. */
export async function startCluster(setup: ClusterSetup): Promise<Cluster> {
  const { room, maxBatchCommands, relayMessages } = setup;
  const children = new Map<string, ChildProcess>();
  const replies = new Map<string, Reply[]>();
  const waiters: (() => void)[] = [];
  const next = async (id: string, kind: Reply['kind']): Promise<Reply> => {
    for (;;) {
      const queue = replies.get(id)!;
      const at = queue.findIndex((r) => r.kind === kind);
      if (at >= 0) return queue.splice(at, 1)[0]!;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  for (const id of ids) {
    const child = spawn(
      process.execPath,
      // RELAY_BENCH_NODE_ARGS passes flags to the node processes, e.g. "--cpu-prof --cpu-prof-dir=prof".
      [
        ...(process.env.RELAY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        '--conditions=source',
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        ...['--node', id, '--url', setup.urls[ids.indexOf(id) % setup.urls.length]!, '--room', room, '--batch', String(maxBatchCommands)],
      ],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: process.env },
    );
    replies.set(id, []);
    child.on('message', (reply: Reply) => {
      replies.get(id)!.push(reply);
      for (const wake of waiters.splice(0)) wake();
    });
    children.set(id, child);
  }
  await Promise.all(ids.map((id) => next(id, 'ready')));
  children.get('n1')!.send({ cmd: 'campaign' } satisfies Request);
  const { leader } = (await next('n1', 'leader')) as Extract<Reply, { kind: 'leader' }>;
  const leaderProcess = children.get(leader)!;
  const params = { voters: 3, processes: 3, payloadBytes: 16, transport: 'websocket-relay', authenticated: secret !== undefined, maxBatchCommands, ...setup.params };
  /** CPU seconds used so far by the relays (and Redis) and each node process. */
  const cpuOfAll = async (): Promise<Record<string, number>> => {
    for (const child of children.values()) child.send({ cmd: 'cpu' } satisfies Request);
    const seconds: Record<string, number> = { ...(await setup.otherCpu()) };
    for (const id of ids) seconds[id] = ((await next(id, 'cpu')) as Extract<Reply, { kind: 'cpu' }>).seconds;
    return seconds;
  };
  const round3 = (value: number): number => Math.round(value * 1000) / 1000;
  // Per process as well, so a change can be traced to the leader, the followers or the relay.
  const cpuSpent = (before: Record<string, number>, after: Record<string, number>): { cpuSeconds: number; cpuByProcess: Record<string, number> } => {
    const cpuByProcess = Object.fromEntries(Object.keys(after).map((p) => [p === leader ? `${p} (leader)` : p, round3(after[p]! - before[p]!)]));
    return { cpuSeconds: round3(Object.values(cpuByProcess).reduce((a, b) => a + b, 0)), cpuByProcess };
  };
  const throughputRun = async (total: number): Promise<ThroughputRun> => {
    const cpuBefore = await cpuOfAll();
    const messagesBefore = await relayMessages();
    leaderProcess.send({ cmd: 'throughput', total, inflight: 1000 } satisfies Request);
    const r = (await next(leader, 'throughput')) as Extract<Reply, { kind: 'throughput' }>;
    const cpu = cpuSpent(cpuBefore, await cpuOfAll());
    return { opsPerSec: Math.round(total / r.seconds), seconds: r.seconds, peakHeapMB: r.peakHeapMB, relayMessages: (await relayMessages()) - messagesBefore, ...cpu };
  };
  const latencyRun = async (count: number): Promise<LatencyRun> => {
    const cpuBefore = await cpuOfAll();
    const messagesBefore = await relayMessages();
    leaderProcess.send({ cmd: 'latency', count } satisfies Request);
    const r = (await next(leader, 'latency')) as Extract<Reply, { kind: 'latency' }>;
    // Includes the warm-up proposals.
    const cpu = cpuSpent(cpuBefore, await cpuOfAll());
    return { ...percentiles(r.samplesUs), peakHeapMB: r.peakHeapMB, relayMessages: (await relayMessages()) - messagesBefore, ...cpu };
  };
  const cluster: Cluster = {
    throughputRun,
    latencyRun,
    async printThroughput(name, total, all, peer) {
      const { seconds, opsPerSec, peakHeapMB, cpuSeconds, cpuByProcess, relayMessages: messages } = all.reduce((best, r) => (r.opsPerSec > best.opsPerSec ? r : best));
      printResult({
        name,
        ...(peer !== undefined && { peer }),
        params: {
          ...params,
          inflight: 1000,
          total,
          rounds: all.length,
          cpuSeconds,
          cpuOf: `three nodes and ${Object.keys(await setup.otherCpu()).join(', ')}`,
          cpuByProcess,
          relayMessages: messages,
          // The first round starts on cold code (not yet optimised by the JIT); all are shown.
          opsPerSecByRound: all.map((r) => r.opsPerSec),
          cpuSecondsByRound: all.map((r) => r.cpuSeconds),
        },
        opsPerSec,
        peakHeapMB,
        env: envInfo(),
      });
      process.stderr.write(`${name}${peer ? ` [${peer}]` : ''}: ${total} proposals in ${seconds.toFixed(2)} s (best of ${all.length}: ${all.map((r) => r.opsPerSec).join(', ')} /s)\n`);
    },
    printLatency(name, count, all, peer) {
      const { p50Us, p99Us, maxUs, peakHeapMB, cpuSeconds, cpuByProcess, relayMessages: messages } = all.reduce((best, r) => (r.p99Us < best.p99Us ? r : best));
      const byRound = { p50UsByRound: all.map((r) => r.p50Us), p99UsByRound: all.map((r) => r.p99Us), maxUsByRound: all.map((r) => r.maxUs) };
      printResult({ name, ...(peer !== undefined && { peer }), params: { ...params, count, rounds: all.length, cpuSeconds, cpuByProcess, relayMessages: messages, ...byRound }, p50Us, p99Us, maxUs, peakHeapMB, env: envInfo() });
      process.stderr.write(`${name}${peer ? ` [${peer}]` : ''}: p50 ${p50Us} µs, p99 ${p99Us} µs (p99 by round: ${byRound.p99UsByRound.join(', ')})\n`);
    },
    async throughput(name, total, rounds, peer) {
      const runs: ThroughputRun[] = [];
      for (let i = 0; i < rounds; i++) runs.push(await throughputRun(total));
      await cluster.printThroughput(name, total, runs, peer);
    },
    async latency(name, count, rounds, peer) {
      const runs: LatencyRun[] = [];
      for (let i = 0; i < rounds; i++) runs.push(await latencyRun(count));
      cluster.printLatency(name, count, runs, peer);
    },
    async stop() {
      for (const child of children.values()) child.send({ cmd: 'stop' } satisfies Request);
      await Promise.all([...children.values()].map((c) => new Promise((resolve) => c.once('exit', resolve))));
    },
  };
  return cluster;
}

async function orchestrate(): Promise<void> {
  const only = onlyPrefix();
  const wanted = (name: string) => name.startsWith(only);
  const plain = wanted('relay.3proc.throughput');
  const latency = wanted('relay.3proc.latency');
  const batched = wanted('relay.3proc.throughput.batched');
  if (!plain && !latency && !batched) return;
  const total = Number(process.env.RELAY_BENCH_TOTAL ?? 50_000);
  const rounds = Number(process.env.RELAY_BENCH_ROUNDS ?? 3);

  const { startRelay } = await import('../../packages/transport-ws/src/relay/index.ts');
  const relay = await startRelay({ port: 0 });
  const relayMessages = (): number => relay.stats().framesForwarded;
  const setup = { urls: [relay.url], relayMessages, otherCpu: () => ({ relay: cpuSeconds(process.cpuUsage()) }) };
  if (plain || latency) {
    const cluster = await startCluster({ ...setup, room: 'bench', maxBatchCommands: 1 });
    if (plain) await cluster.throughput('relay.3proc.throughput', total, rounds);
    if (latency) await cluster.latency('relay.3proc.latency', Number(process.env.RELAY_BENCH_COUNT ?? 3000), rounds);
    await cluster.stop();
  }
  if (batched) {
    const cluster = await startCluster({ ...setup, room: 'bench-batched', maxBatchCommands: 256 });
    await cluster.throughput('relay.3proc.throughput.batched', total, rounds);
    await cluster.stop();
  }
  const { dropped, framesForwarded, bytesForwarded } = relay.stats();
  process.stderr.write(`relay: forwarded ${framesForwarded} WebSocket messages (${bytesForwarded} bytes), dropped ${JSON.stringify(dropped)}\n`);
  await relay.close();
}

function cpuSeconds({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1e6;
}

async function runNode(id: string, url: string, room: string, maxBatchCommands: number): Promise<void> {
  const { WebSocket } = await import('ws');
  const { MemoryLogStore, RaftNode, bytesCodec } = await import('../../packages/core/src/index.ts');
  const { webSocketTransport } = await import('../../packages/transport-ws/src/index.ts');
  const reply = (r: Reply): void => void process.send!(r);
  const machine = {
    applied: 0,
    apply(): number {
      return ++this.applied;
    },
    snapshot: () => new TextEncoder().encode(String(machine.applied)),
    restore(data: Uint8Array): void {
      machine.applied = Number(new TextDecoder().decode(data));
    },
  };
  const node = await RaftNode.create({
    id,
    members: ids,
    stateMachine: machine,
    log: new MemoryLogStore(),
    transport: webSocketTransport({ url, room, nodeId: id, WebSocket, ...(secret !== undefined && { secret }) }),
    commandCodec: bytesCodec,
    maxBatchCommands,
  });
  await node.start();
  const heapMB = (): number => Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10;
  const payload = new Uint8Array(16);

  process.on('message', async (request: Request) => {
    if (request.cmd === 'campaign') {
      node.campaign();
      const leader = await node.waitForLeader({ timeoutMs: 10_000 });
      reply({ kind: 'leader', leader });
    } else if (request.cmd === 'throughput') {
      await node.read();
      let peak = heapMB();
      let issued = 0;
      let done = 0;
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const issue = (): void => {
          issued++;
          node.propose(payload).then(() => {
            if (++done % 5000 === 0) peak = Math.max(peak, heapMB());
            if (issued < request.total) issue();
            else if (done === request.total) resolve();
          }, reject);
        };
        for (let i = 0; i < request.inflight && issued < request.total; i++) issue();
      });
      reply({ kind: 'throughput', seconds: (performance.now() - started) / 1000, peakHeapMB: Math.max(peak, heapMB()) });
    } else if (request.cmd === 'cpu') {
      const { user, system } = process.cpuUsage();
      reply({ kind: 'cpu', seconds: (user + system) / 1e6 });
    } else if (request.cmd === 'latency') {
      for (let i = 0; i < 200; i++) await node.propose(payload);
      const samplesUs: number[] = [];
      let peak = heapMB();
      for (let i = 0; i < request.count; i++) {
        const started = performance.now();
        await node.propose(payload);
        samplesUs.push((performance.now() - started) * 1000);
        if (i % 500 === 0) peak = Math.max(peak, heapMB());
      }
      reply({ kind: 'latency', samplesUs, peakHeapMB: peak });
    } else {
      await node.stop();
      process.exit(0);
    }
  });
  reply({ kind: 'ready' });
}

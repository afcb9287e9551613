// @results relay.redis
// `relay.redis.*`: the three node processes of `relay.ts`, each connected to a relay of its own,
// three relays sharing the room through Redis (Debian's redis-server, started here on a free
// port): every Raft message goes node → relay → Redis → relay → node. Beside each result, with
// `"peer": "one relay"`, the same cluster through one relay process, measured in the same run.
// Relays and Redis run in child processes; `params.cpuByProcess` has the CPU time of each.
//   throughput: RELAY_BENCH_TOTAL proposals (default 200,000: a round of 50,000 lasts a few
//               tenths of a second, too short to compare on a shared machine) with 1,000 in flight.
//   latency:    one proposal at a time (RELAY_BENCH_COUNT, default 3,000), p50/p99.
// Best of RELAY_BENCH_ROUNDS rounds (default 5) on each cluster, the two clusters taking turns.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../../packages/transport-ws/test/cluster/redis.ts';
import { onlyPrefix } from './lib.ts';
import { startCluster, type ClusterSetup, type LatencyRun, type ThroughputRun } from './relay.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const adminToken = 'bench';

export interface RelayChild {
  readonly url: string;
  readonly pid: number;
  /** The relay's counters (its admin API). */
  stats(): Promise<{ framesForwarded: number; connections: number; memory: { heapUsedBytes: number } }>;
  stop(): Promise<void>;
}

/**
 * A `webraft-relay` process (its sources) on a free port, with `flags`; with `fileLimit`, its
 * soft limit of open files raised to that (through `sh -c 'ulimit -n'`).
 */
export async function spawnRelayChild(flags: readonly string[], { fileLimit }: { fileLimit?: number } = {}): Promise<RelayChild> {
  const command = [
    process.execPath,
    // RELAY_BENCH_RELAY_ARGS passes flags to the relay processes, e.g. "--cpu-prof --cpu-prof-dir=prof".
    ...(process.env.RELAY_BENCH_RELAY_ARGS?.split(' ').filter(Boolean) ?? []),
    ...['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', "import { main } from './packages/transport-ws/src/relay/cli.ts'; await main(process.argv.slice(1));", '--'],
    ...['--port', '0', '--admin-token', adminToken, ...flags],
  ];
  const [file, ...args] = fileLimit === undefined ? command : ['sh', '-c', `ulimit -n ${fileLimit} && exec "$0" "$@"`, ...command];
  const child: ChildProcess = spawn(file!, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise((resolve) => child.once('exit', resolve)).finally(() => process.off('exit', kill));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`relay exited (${code}): ${stderr}`)));
  });
  const admin = `${url.replace('ws:', 'http:')}admin`;
  return {
    url,
    pid: child.pid!,
    stats: async () => (await (await fetch(`${admin}/stats`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as Awaited<ReturnType<RelayChild['stats']>>,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are the 14th and 15th fields of the line, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process, from /proc. */
export function rssBytesOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

// relay-capacity.ts imports the helpers above; the benchmark runs only when this file is the one run.
const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
const only = onlyPrefix();
const throughput = 'relay.redis.throughput'.startsWith(only);
const latency = 'relay.redis.latency'.startsWith(only);
if (isMain && (throughput || latency)) {
  const total = Number(process.env.RELAY_BENCH_TOTAL ?? 200_000);
  const count = Number(process.env.RELAY_BENCH_COUNT ?? 3000);
  const rounds = Number(process.env.RELAY_BENCH_ROUNDS ?? 5);
  const redis = await startRedis();
  try {
    const single = await spawnRelayChild([]);
    const shared = await Promise.all([0, 1, 2].map(() => spawnRelayChild(['--redis', redis.url])));
    const setups = [
      { name: 'one relay', peer: 'one relay', relays: [single], pids: { relay: single.pid } },
      { name: 'redis', relays: shared, pids: { relay1: shared[0]!.pid, relay2: shared[1]!.pid, relay3: shared[2]!.pid, redis: redis.pid } },
    ].map(({ relays, pids, ...rest }) => ({
      ...rest,
      relays,
      setup: {
        urls: relays.map((r) => r.url),
        room: 'bench',
        maxBatchCommands: 1,
        relayMessages: async () => (await Promise.all(relays.map((r) => r.stats()))).reduce((sum, s) => sum + s.framesForwarded, 0),
        otherCpu: () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOf(pid)])),
        params: { relays: relays.length, redis: relays.length > 1 },
      } satisfies ClusterSetup,
    }));
    const clusters = await Promise.all(setups.map((s) => startCluster(s.setup)));
    // Rounds alternate between the two, so both see the machine as it is at the time.
    const throughputRuns: ThroughputRun[][] = setups.map(() => []);
    const latencyRuns: LatencyRun[][] = setups.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, cluster] of clusters.entries()) {
        if (throughput) throughputRuns[i]!.push(await cluster.throughputRun(total));
        if (latency) latencyRuns[i]!.push(await cluster.latencyRun(count));
      }
    }
    for (const [i, cluster] of clusters.entries()) {
      const peer = setups[i]!.peer;
      if (throughput) await cluster.printThroughput('relay.redis.throughput', total, throughputRuns[i]!, peer);
      if (latency) cluster.printLatency('relay.redis.latency', count, latencyRuns[i]!, peer);
    }
    await Promise.all(clusters.map((c) => c.stop()));
    await Promise.all([single, ...shared].map((r) => r.stop()));
  } finally {
    await redis.stop();
  }
}

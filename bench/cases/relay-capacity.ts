// @results relay.capacity
// `relay.capacity`: what an idle connection costs a relay. RELAY_CAPACITY_CONNECTIONS WebSocket
// connections (default 10,000) in rooms of 3, idle after their welcome, spread over 2 relays
// that share the rooms through Redis (a room's members at both relays); beside it, with
// `"peer": "one relay"`, the same connections on one relay without Redis, in the same run.
// `params.bytesPerConnection`: (the relay's RSS with the connections open − its RSS before) /
// its connections, averaged over the relays; `params.perRelay` has each relay's figures.
// Connections are opened by child processes of 2,500 each, so no process needs more file
// descriptors than a usual `ulimit -n` (4,096); the relays' soft limit is raised to what they
// need, and the run stops with a message if the hard limit is lower.
// This file is also the client process: `relay-capacity.ts --clients JSON`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../../packages/transport-ws/test/cluster/redis.ts';
import { envInfo, onlyPrefix, printResult } from './lib.ts';
import { rssBytesOf, spawnRelayChild, type RelayChild } from './relay-redis.ts';

const argv = process.argv.slice(2);
const perClientProcess = 2500;
const roomSize = 3;
const settleMs = 3000;
const MB = 2 ** 20;

interface ClientsJob {
  readonly urls: readonly string[];
  readonly from: number;
  readonly count: number;
}

if (argv[0] === '--clients') {
  await holdConnections(JSON.parse(argv[1]!) as ClientsJob);
} else if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && 'relay.capacity'.startsWith(onlyPrefix())) {
  await measure();
}

/** Opens the job's connections (200 handshakes at a time), reports, and keeps them until told to stop. */
async function holdConnections({ urls, from, count }: ClientsJob): Promise<void> {
  const { WebSocket } = await import('ws');
  const sockets: InstanceType<typeof WebSocket>[] = [];
  /** Connections closed before their welcome, by close code. */
  const failures: Record<number, number> = {};
  for (let start = from; start < from + count; start += 200) {
    const batch = Array.from({ length: Math.min(200, from + count - start) }, (_, i) => start + i);
    await Promise.all(
      batch.map(
        (k) =>
          new Promise<void>((done) => {
            const url = new URL(urls[k % urls.length]!);
            url.searchParams.set('room', `room-${Math.floor(k / roomSize)}`);
            url.searchParams.set('node', `n${k % roomSize}`);
            const ws = new WebSocket(url);
            sockets.push(ws);
            ws.once('message', () => done());
            ws.once('error', () => undefined);
            ws.once('close', (code) => {
              failures[code] = (failures[code] ?? 0) + 1;
              done();
            });
          }),
      ),
    );
  }
  process.send!({ kind: 'ready', failures });
  process.once('message', () => {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  });
}

async function openConnections(urls: readonly string[], total: number): Promise<{ stop(): Promise<void>; seconds: number }> {
  const started = performance.now();
  const children: ChildProcess[] = [];
  const ready: Promise<Record<number, number>>[] = [];
  for (let from = 0; from < total; from += perClientProcess) {
    const job: ClientsJob = { urls, from, count: Math.min(perClientProcess, total - from) };
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), '--clients', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const kill = (): void => void child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));
    children.push(child);
    ready.push(new Promise((done, fail) => {
      child.once('message', (m: { failures: Record<number, number> }) => done(m.failures));
      child.once('exit', (code) => fail(new Error(`a client process exited (${code}) before its connections were open`)));
    }));
  }
  const failures: Record<number, number> = {};
  for (const byCode of await Promise.all(ready)) for (const [code, n] of Object.entries(byCode)) failures[Number(code)] = (failures[Number(code)] ?? 0) + n;
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  if (failed > 0) throw new Error(`${failed} of ${total} connections closed before their welcome (by close code: ${JSON.stringify(failures)})`);
  return {
    seconds: (performance.now() - started) / 1000,
    async stop() {
      await Promise.all(children.map((child) => new Promise((done) => {
        child.once('exit', done);
        child.send('stop');
      })));
    },
  };
}

/** The file descriptors each relay needs, or an error naming the limit that is too low. */
function fileLimitFor(connections: number): number {
  const needed = connections + 512;
  const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  if (hard !== 'unlimited' && Number(hard) < needed) {
    throw new Error(`relay.capacity needs ${needed} file descriptors per relay; the hard limit (ulimit -Hn) is ${hard}`);
  }
  return needed;
}

async function measure(): Promise<void> {
  const total = Number(process.env.RELAY_CAPACITY_CONNECTIONS ?? 10_000);
  const flags = ['--max-connections', String(total), '--max-connections-per-address', String(total), '--max-handshakes-per-second-per-address', String(total * 10), '--max-rooms', String(total)];
  const redis = await startRedis();
  try {
    for (const setup of [{ peer: 'one relay', relays: 1, redis: false }, { relays: 2, redis: true }]) {
      const fileLimit = fileLimitFor(Math.ceil(total / setup.relays));
      const relays: RelayChild[] = await Promise.all(
        Array.from({ length: setup.relays }, () => spawnRelayChild(setup.redis ? [...flags, '--redis', redis.url] : flags, { fileLimit })),
      );
      await new Promise((r) => setTimeout(r, settleMs));
      const before = relays.map((r) => rssBytesOf(r.pid));
      const redisBefore = rssBytesOf(redis.pid);
      const clients = await openConnections(relays.map((r) => r.url), total);
      await new Promise((r) => setTimeout(r, settleMs));
      const stats = await Promise.all(relays.map((r) => r.stats()));
      const open = stats.reduce((sum, st) => sum + st.connections, 0);
      if (open < total) throw new Error(`only ${open} of ${total} connections were still open after ${settleMs} ms idle`);
      const perRelay = relays.map((r, i) => {
        const rss = rssBytesOf(r.pid);
        const connections = stats[i]!.connections;
        return {
          connections,
          rssBeforeMB: round(before[i]! / MB),
          rssMB: round(rss / MB),
          heapUsedMB: round(stats[i]!.memory.heapUsedBytes / MB),
          bytesPerConnection: Math.round((rss - before[i]!) / connections),
        };
      });
      const bytesPerConnection = Math.round(perRelay.reduce((sum, r) => sum + r.bytesPerConnection, 0) / perRelay.length);
      const redisBytes = rssBytesOf(redis.pid) - redisBefore;
      printResult({
        name: 'relay.capacity',
        ...(setup.peer !== undefined && { peer: setup.peer }),
        params: {
          connections: total,
          relays: setup.relays,
          redis: setup.redis,
          roomSize,
          rooms: Math.ceil(total / roomSize),
          bytesPerConnection,
          perRelay,
          connectSeconds: round(clients.seconds),
          ...(setup.redis && { redisBytesPerConnection: Math.round(redisBytes / total) }),
        },
        env: envInfo(),
      });
      process.stderr.write(
        `relay.capacity${setup.peer ? ` [${setup.peer}]` : ''}: ${total} idle connections over ${setup.relays} relay(s): ` +
          `${(bytesPerConnection / 1024).toFixed(1)} KiB of relay RSS each (${perRelay.map((r) => `${r.rssBeforeMB} → ${r.rssMB} MB`).join(', ')})` +
          `${setup.redis ? `, Redis ${(redisBytes / total / 1024).toFixed(1)} KiB each` : ''}, opened in ${clients.seconds.toFixed(1)} s\n`,
      );
      await clients.stop();
      await Promise.all(relays.map((r) => r.stop()));
    }
  } finally {
    await redis.stop();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

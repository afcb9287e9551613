// @results durable-object
// `durable-object.append.*`: appends to @webraft/log-durable-object inside a Durable Object in
// workerd (the npm package's binary, `workerd serve`), SQLite-backed storage on the local disk
// (`localDisk`), in Raft's write pattern (one LogWrite per entry, with the hard state), 16-byte
// and 1 KiB entries, one write at a time and 1,000 in flight; latency from `write()` to its
// resolution (committed and `storage.sync()`ed), measured inside the object. Beside the
// one-at-a-time result, with `peer`, the floor measured in the same run: one `storage.put` of
// the entry followed by `storage.sync()`, one at a time; the floor and the store take turns
// every round. `params.cpuSeconds` is the workerd process's CPU time (from /proc).
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, capnpText, serveWorkerd, type WorkerdProcess } from '../../runtimes/src/workerd-serve.ts';
import { type BenchResult, envInfo, onlyPrefix, percentiles, printResult } from './lib.ts';

const only = onlyPrefix();
const wanted = (name: string): boolean => name.startsWith(only) || only.startsWith(name);
const ROUNDS = 3;
const FLOOR_PEER = 'storage.put + storage.sync per entry';
const sizes = [
  { bytes: 16, label: '16B', serial: 2000, inflightTotal: 20_000 },
  { bytes: 1024, label: '1KiB', serial: 2000, inflightTotal: 20_000 },
];

interface Measured {
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  readonly cpuSeconds: number;
}

const config = (disk: string): string => `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "bench", worker = .bench), (name = "disk", disk = (path = ${capnpText(disk)}, writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "bench") ],
);

const bench :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ (name = "BENCH", durableObjectNamespace = "LogBench") ],
  durableObjectNamespaces = [ (className = "LogBench", uniqueKey = "webraft-log-bench", enableSql = true) ],
  durableObjectStorage = (localDisk = "disk"),
);
`;

/** CPU time (user + system) of process `pid` so far, in seconds. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

let runs = 0;
async function measure(workerd: WorkerdProcess, side: 'store' | 'floor', bytes: number, total: number, inflight: number): Promise<Measured> {
  const cpu = cpuOf(workerd.pid);
  const url = `http://127.0.0.1:${workerd.ports.get('http')}/run?side=${side}&bytes=${bytes}&total=${total}&inflight=${inflight}&run=${runs++}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}\n${workerd.output}`);
  const { seconds, latenciesUs } = (await response.json()) as { seconds: number; latenciesUs: number[] };
  return { opsPerSec: total / seconds, ...percentiles(latenciesUs), cpuSeconds: Math.round((cpuOf(workerd.pid) - cpu) * 100) / 100 };
}

function fastest(measured: readonly Measured[]): Measured & { rounds: number } {
  return { ...measured.reduce((best, m) => (m.opsPerSec > best.opsPerSec ? m : best)), rounds: measured.length };
}

function result(name: string, params: Record<string, unknown>, m: Measured & { rounds: number }, peer?: string): BenchResult {
  return {
    name,
    ...(peer !== undefined && { peer }),
    params: { ...params, cpuSeconds: m.cpuSeconds, rounds: m.rounds },
    opsPerSec: Math.round(m.opsPerSec),
    p50Us: m.p50Us,
    p99Us: m.p99Us,
    maxUs: m.maxUs,
    env: envInfo({ runtime: 'workerd (npm workerd)', storage: `SQLite-backed Durable Object storage, localDisk in ${tmpdir()}` }),
  };
}

const dir = await mkdtemp(join(tmpdir(), 'bench-durable-object-'));
let workerd: WorkerdProcess | undefined;
try {
  await bundleWorker(fileURLToPath(new URL('../../runtimes/src/durable-object-bench-worker.ts', import.meta.url)), join(dir, 'worker.js'));
  await mkdir(join(dir, 'storage'));
  workerd = await serveWorkerd(dir, config(join(dir, 'storage')), ['http']);
  for (const size of sizes) {
    const serialName = `durable-object.append.${size.label}.1`;
    const windowName = `durable-object.append.${size.label}.1000`;
    const figures: Record<string, number> = {};
    if (wanted(serialName)) {
      const floors: Measured[] = [];
      const serials: Measured[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        floors.push(await measure(workerd, 'floor', size.bytes, size.serial, 1));
        serials.push(await measure(workerd, 'store', size.bytes, size.serial, 1));
      }
      const floor = fastest(floors);
      const serial = fastest(serials);
      printResult(result(serialName, { entryBytes: size.bytes, total: size.serial, inflight: 1, syncsPerEntry: 1 }, floor, FLOOR_PEER));
      printResult(result(serialName, { entryBytes: size.bytes, total: size.serial, inflight: 1 }, serial));
      figures.floor = floor.opsPerSec;
      figures.serial = serial.opsPerSec;
    }
    if (wanted(windowName)) {
      const rounds: Measured[] = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push(await measure(workerd, 'store', size.bytes, size.inflightTotal, 1000));
      const grouped = fastest(rounds);
      printResult(result(windowName, { entryBytes: size.bytes, total: size.inflightTotal, inflight: 1000 }, grouped));
      figures.grouped = grouped.opsPerSec;
    }
    if (figures.floor && figures.serial && figures.grouped) {
      process.stderr.write(
        `durable-object ${size.label} entries: 1,000 in flight ${(figures.grouped / figures.floor).toFixed(1)}x the put-and-sync-per-entry floor; ` +
          `one at a time ${(figures.floor / figures.serial).toFixed(2)}x the floor's time per entry\n`,
      );
    }
  }
} finally {
  await workerd?.stop();
  await rm(dir, { recursive: true, force: true });
}

// @results file
// `file.append.*`: appends to @webraft/log-file's FileLogStore in Raft's write pattern (one
// LogWrite per entry, with the hard state), 16-byte and 1 KiB entries, one write at a time
// and 1,000 in flight; each write's latency runs from `write()` to its resolution (durable).
// Beside it, under the one-at-a-time name with `peer`, the floor measured in the same run: a
// loop writing the same bytes with Node's fs and fdatasync after each, one sync per entry; the
// two take turns every 100 entries, so both meet the same disk.
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogWrite } from '../../packages/core/src/index.ts';
import { fileLogStore } from '../../packages/log-file/src/index.ts';
import { type BenchResult, bestOf, cpuSince, envInfo, heapMB, onlyPrefix, percentiles, printResult } from './lib.ts';

const only = onlyPrefix();
const wanted = (name: string): boolean => name.startsWith(only) || only.startsWith(name);
const ROUNDS = 3;
/** One-at-a-time runs alternate between the floor and the store every this many entries. */
const CHUNK = 100;
const FLOOR_PEER = 'node:fs write + fdatasync per entry';
const sizes = [
  { bytes: 16, label: '16B', serial: 2000, inflightTotal: 100_000 },
  { bytes: 1024, label: '1KiB', serial: 2000, inflightTotal: 50_000 },
];
const root = mkdtempSync(join(tmpdir(), 'bench-file-'));
let runs = 0;

interface Measured {
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  readonly cpuSeconds: number;
  readonly peakHeapMB: number;
}

function batchOf(index: number, data: Uint8Array): LogWrite {
  return { entries: [{ index, term: 1, type: 'normal', data }], hardState: { term: 1, vote: 'n1', commit: index - 1 } };
}

/** Runs the `total` writes of `issue` with `inflight` outstanding; each write's latency in µs. */
async function drive(total: number, inflight: number, issue: (i: number) => Promise<void>, latencies: number[]): Promise<void> {
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const start = (): void => {
      const i = next++;
      const at = performance.now();
      issue(i).then(() => {
        latencies.push((performance.now() - at) * 1000);
        if (++done === total) return resolve();
        if (next < total) start();
      }, reject);
    };
    for (let k = 0; k < Math.min(inflight, total); k++) start();
  });
}

function measured(total: number, seconds: number, cpuSeconds: number, latencies: number[], peakHeapMB: number): Measured {
  return { opsPerSec: total / seconds, ...percentiles(latencies), cpuSeconds, peakHeapMB: Math.round(peakHeapMB * 10) / 10 };
}

/** `total` appends through a FileLogStore with `inflight` writes outstanding at any time. */
async function appendToStore(bytes: number, total: number, inflight: number): Promise<Measured> {
  const dir = join(root, `store-${runs++}`);
  const store = fileLogStore({ dir });
  await store.load();
  const data = new Uint8Array(bytes).fill(7);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drive(total, inflight, (i) => store.write(batchOf(i + 1, data)), latencies);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  const peak = heapMB();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return measured(total, seconds, cpuSeconds, latencies, peak);
}

const call = (start: (callback: (error: NodeJS.ErrnoException | null) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())));

/**
 * One write at a time, the floor and the store taking turns every `CHUNK` entries, so that both
 * meet the same disk: a shared machine's disk slows down and speeds up by the second.
 */
async function serialPair(bytes: number, total: number): Promise<{ floor: Measured; store: Measured }> {
  const path = join(root, `floor-${runs}`);
  const dir = join(root, `store-${runs++}`);
  const fd = fs.openSync(path, 'w+');
  const store = fileLogStore({ dir });
  await store.load();
  const data = new Uint8Array(bytes).fill(7);
  const sides = {
    floor: { seconds: 0, cpu: 0, latencies: [] as number[], issue: (i: number) => call((cb) => fs.write(fd, data, 0, bytes, i * bytes, (error) => cb(error))).then(() => call((cb) => fs.fdatasync(fd, cb))) },
    store: { seconds: 0, cpu: 0, latencies: [] as number[], issue: (i: number) => store.write(batchOf(i + 1, data)) },
  };
  for (let from = 0; from < total; from += CHUNK) {
    for (const side of [sides.floor, sides.store]) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const count = Math.min(CHUNK, total - from);
      await drive(count, 1, (k) => side.issue(from + k), side.latencies);
      side.seconds += (performance.now() - started) / 1000;
      side.cpu += cpuSince(cpu);
    }
  }
  fs.closeSync(fd);
  await store.close();
  rmSync(path);
  rmSync(dir, { recursive: true, force: true });
  const heap = heapMB();
  return {
    floor: measured(total, sides.floor.seconds, sides.floor.cpu, sides.floor.latencies, heap),
    store: measured(total, sides.store.seconds, sides.store.cpu, sides.store.latencies, heap),
  };
}

function fastest(runs: readonly Measured[]): Measured & { rounds: number } {
  return { ...runs.reduce((best, m) => (m.opsPerSec > best.opsPerSec ? m : best)), rounds: runs.length };
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
    peakHeapMB: m.peakHeapMB,
    env: envInfo({ fs: `${tmpdir()} (os.tmpdir)` }),
  };
}

try {
  for (const size of sizes) {
    const serialName = `file.append.${size.label}.1`;
    const windowName = `file.append.${size.label}.1000`;
    const figures: Record<string, number> = {};
    if (wanted(serialName)) {
      const floors: Measured[] = [];
      const serials: Measured[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const pair = await serialPair(size.bytes, size.serial);
        floors.push(pair.floor);
        serials.push(pair.store);
      }
      const floor = fastest(floors);
      const serial = fastest(serials);
      printResult(result(serialName, { entryBytes: size.bytes, total: size.serial, inflight: 1, syncsPerEntry: 1 }, floor, FLOOR_PEER));
      printResult(result(serialName, { entryBytes: size.bytes, total: size.serial, inflight: 1 }, serial));
      figures.floor = floor.opsPerSec;
      figures.serial = serial.opsPerSec;
    }
    if (wanted(windowName)) {
      const grouped = await bestOf(ROUNDS, () => appendToStore(size.bytes, size.inflightTotal, 1000));
      printResult(result(windowName, { entryBytes: size.bytes, total: size.inflightTotal, inflight: 1000 }, grouped));
      figures.grouped = grouped.opsPerSec;
    }
    if (figures.floor && figures.serial && figures.grouped) {
      process.stderr.write(
        `file ${size.label} entries: 1,000 in flight ${(figures.grouped / figures.floor).toFixed(1)}x the fdatasync-per-entry floor; ` +
          `one at a time ${(figures.floor / figures.serial).toFixed(2)}x the floor's time per entry\n`,
      );
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

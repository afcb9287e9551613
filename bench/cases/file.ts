// @results file
// `file.append.*`: appends to @webraft/log-file's FileLogStore in Raft's write pattern (one
// LogWrite per entry, with the hard state), 16-byte and 1 KiB entries, one write at a time
// and 1,000 in flight; each write's latency runs from `write()` to its resolution (durable).
// Beside it, under the one-at-a-time name with `peer`, the floor measured in the same run: a
// loop writing the same bytes with Node's fs and fdatasync after each, one sync per entry.
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
const FLOOR_PEER = 'node:fs write + fdatasync per entry';
const sizes = [
  { bytes: 16, label: '16B', serial: 1500, inflightTotal: 100_000 },
  { bytes: 1024, label: '1KiB', serial: 1500, inflightTotal: 50_000 },
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

/** `total` appends through a FileLogStore with `inflight` writes outstanding at any time. */
async function appendToStore(bytes: number, total: number, inflight: number): Promise<Measured> {
  const dir = join(root, `store-${runs++}`);
  const store = fileLogStore({ dir });
  await store.load();
  const data = new Uint8Array(bytes).fill(7);
  const latencies = new Float64Array(total);
  let next = 1;
  let peakHeap = heapMB();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const issue = (): void => {
      const index = next++;
      const at = performance.now();
      store.write(batchOf(index, data)).then(() => {
        latencies[index - 1] = (performance.now() - at) * 1000;
        if (++done === total) return resolve();
        if (done % 5000 === 0) peakHeap = Math.max(peakHeap, heapMB());
        if (next <= total) issue();
      }, reject);
    };
    for (let i = 0; i < Math.min(inflight, total); i++) issue();
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { opsPerSec: total / seconds, ...percentiles(Array.from(latencies)), cpuSeconds, peakHeapMB: Math.round(peakHeap * 10) / 10 };
}

const call = (start: (callback: (error: NodeJS.ErrnoException | null) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())));

/** The floor: the entry's bytes written and fdatasynced, one entry at a time. */
async function syncLoop(bytes: number, total: number): Promise<Measured> {
  const path = join(root, `floor-${runs++}`);
  const fd = fs.openSync(path, 'w+');
  const data = new Uint8Array(bytes).fill(7);
  const latencies = new Float64Array(total);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const at = performance.now();
    await call((cb) => fs.write(fd, data, 0, bytes, i * bytes, (error) => cb(error)));
    await call((cb) => fs.fdatasync(fd, cb));
    latencies[i] = (performance.now() - at) * 1000;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  fs.closeSync(fd);
  rmSync(path);
  return { opsPerSec: total / seconds, ...percentiles(Array.from(latencies)), cpuSeconds, peakHeapMB: Math.round(heapMB() * 10) / 10 };
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
      // Interleaved, so both see the same neighbours on a shared machine; the best of each is kept.
      const floors: Measured[] = [];
      const serials: Measured[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        floors.push(await syncLoop(size.bytes, size.serial));
        serials.push(await appendToStore(size.bytes, size.serial, 1));
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

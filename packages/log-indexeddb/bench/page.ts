// Runs in Chromium: the three ways of appending that bench/cases/idb.ts compares.
import type { Entry } from '@webraft/core';
import { indexedDBLogStore } from '../src/index.ts';

export interface Measured {
  readonly entries: number;
  readonly seconds: number;
  /** Latency of each timed operation (a LogWrite, or a transaction), in microseconds. */
  readonly latenciesUs: number[];
  readonly peakHeapMB?: number;
}

function entryOf(index: number, bytes: number): Entry {
  const data = new Uint8Array(bytes);
  crypto.getRandomValues(data.subarray(0, Math.min(bytes, 65536)));
  return { index, term: 1, type: 'normal', data };
}

let heapPeak = 0;
function sampleHeap(): void {
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  if (memory) heapPeak = Math.max(heapPeak, memory.usedJSHeapSize);
}

function result(entries: number, started: number, latenciesUs: number[]): Measured {
  const seconds = (performance.now() - started) / 1000;
  return heapPeak > 0 ? { entries, seconds, latenciesUs, peakHeapMB: heapPeak / 2 ** 20 } : { entries, seconds, latenciesUs };
}

/**
 * This store under Raft's write pattern: one LogWrite per ready cycle (its entries plus the
 * hard state), issued without waiting for the previous ones, up to `inflight` at a time.
 */
async function raft(name: string, total: number, bytes: number, inflight: number, entriesPerWrite: number): Promise<Measured> {
  heapPeak = 0;
  const store = indexedDBLogStore({ name });
  await store.load();
  const latenciesUs: number[] = [];
  let next = 1;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next <= total) {
      const first = next;
      const count = Math.min(entriesPerWrite, total - first + 1);
      next += count;
      const entries = Array.from({ length: count }, (_, i) => entryOf(first + i, bytes));
      const t0 = performance.now();
      await store.write({ entries, hardState: { term: 1, vote: 'n1', commit: first - 1 } });
      latenciesUs.push((performance.now() - t0) * 1000);
      if (latenciesUs.length % 256 === 0) sampleHeap();
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const measured = result(total, started, latenciesUs);
  await store.close();
  return measured;
}

async function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('entries');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function commit(db: IDBDatabase, entries: readonly Entry[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('entries', 'readwrite', { durability: 'strict' });
    const store = tx.objectStore('entries');
    for (const e of entries) store.put(e, e.index);
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error);
  });
}

/** Raw IndexedDB, `batch` entries per strict transaction, one transaction at a time: the ceiling. */
async function rawBatch(name: string, total: number, bytes: number, batch: number): Promise<Measured> {
  heapPeak = 0;
  const db = await openRaw(name);
  const latenciesUs: number[] = [];
  const started = performance.now();
  for (let first = 1; first <= total; first += batch) {
    const entries = Array.from({ length: Math.min(batch, total - first + 1) }, (_, i) => entryOf(first + i, bytes));
    const t0 = performance.now();
    await commit(db, entries);
    latenciesUs.push((performance.now() - t0) * 1000);
    sampleHeap();
  }
  const measured = result(total, started, latenciesUs);
  db.close();
  return measured;
}

/** One strict transaction per entry: what a naive store pays, one flush each. */
async function perEntry(name: string, total: number, bytes: number): Promise<Measured> {
  heapPeak = 0;
  const db = await openRaw(name);
  const latenciesUs: number[] = [];
  const started = performance.now();
  for (let index = 1; index <= total; index++) {
    const entry = entryOf(index, bytes);
    const t0 = performance.now();
    await commit(db, [entry]);
    latenciesUs.push((performance.now() - t0) * 1000);
    if (index % 64 === 0) sampleHeap();
  }
  const measured = result(total, started, latenciesUs);
  db.close();
  return measured;
}

const bench = { raft, rawBatch, perEntry };
(globalThis as unknown as { bench: typeof bench }).bench = bench;
export type BenchPage = typeof bench;

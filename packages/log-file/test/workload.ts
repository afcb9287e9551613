/**
 * A seeded stream of LogWrites shaped like Raft's (appends with the hard state, overwrites of
 * an unstable tail, snapshots with compaction, the odd snapshot install), and the check that
 * a reopened store holds exactly a prefix of them that includes every acknowledged one. Each
 * batch sets hardState.commit to its sequence number, which tells how many of them survived.
 */
import { checkLogWrite, createMemoryLogData, type Entry, type LogBounds, type LogWrite, MemoryLogStore, type Snapshot, type StoredState } from '@webraft/core';
import { assertEqual, sampleConfState } from '@webraft/core/testing';

export interface WorkloadState {
  bounds: LogBounds;
  term: number;
  /** Sequence number of the last batch. */
  seq: number;
}

export interface WorkloadOptions {
  /** Largest entry payload. @default 300 */
  readonly maxEntryBytes?: number;
  /** Chance that a batch snapshots and compacts. @default 0.03 */
  readonly snapshotRate?: number;
  /** Chance that a batch installs a leader's snapshot (dropping the whole log). @default 0.01 */
  readonly installRate?: number;
  /** Chance that a batch overwrites the tail in a new term. @default 0.06 */
  readonly overwriteRate?: number;
}

export function workloadState(stored: StoredState): WorkloadState {
  const snapshotIndex = stored.snapshot?.meta.index ?? 0;
  const last = stored.entries[stored.entries.length - 1];
  return {
    bounds: { floor: snapshotIndex, lastIndex: last?.index ?? snapshotIndex, snapshotIndex },
    term: Math.max(stored.hardState.term, last?.term ?? 0, stored.snapshot?.meta.term ?? 0),
    seq: stored.hardState.commit,
  };
}

function bytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (random() * 256) | 0;
  return out;
}

function snapshotAt(random: () => number, index: number, term: number): Snapshot {
  return { meta: { index, term, conf: sampleConfState }, data: bytes(random, 1 + ((random() * 2000) | 0)) };
}

/** The next batch for `s`, which it advances. */
export function nextBatch(random: () => number, s: WorkloadState, options: WorkloadOptions = {}): LogWrite {
  const maxBytes = options.maxEntryBytes ?? 300;
  const seq = ++s.seq;
  const { floor, lastIndex, snapshotIndex } = s.bounds;
  const snapshotRate = options.snapshotRate ?? 0.03;
  const installRate = snapshotRate + (options.installRate ?? 0.01);
  const overwriteRate = installRate + (options.overwriteRate ?? 0.06);
  const roll = random();
  let batch: LogWrite;
  const entries = (first: number, count: number): Entry[] =>
    Array.from({ length: count }, (_, i) => ({ index: first + i, term: s.term, type: 'normal' as const, data: bytes(random, (random() * maxBytes) | 0) }));
  if (roll < snapshotRate && lastIndex > snapshotIndex) {
    const at = snapshotIndex + 1 + Math.floor(random() * (lastIndex - snapshotIndex));
    const to = Math.max(floor, at - Math.floor(random() * 5));
    batch = { saveSnapshot: snapshotAt(random, at, s.term), compactTo: to, hardState: { term: s.term, vote: 'n1', commit: seq } };
  } else if (roll < installRate) {
    s.term++;
    const at = lastIndex + 1 + Math.floor(random() * 50);
    batch = { installSnapshot: snapshotAt(random, at, s.term), hardState: { term: s.term, vote: '', commit: seq } };
  } else if (roll < overwriteRate && lastIndex > snapshotIndex + 1) {
    s.term++;
    const first = Math.max(snapshotIndex + 1, lastIndex - Math.floor(random() * 10));
    batch = { entries: entries(first, 1 + Math.floor(random() * 3)), hardState: { term: s.term, vote: 'nœud-2', commit: seq } };
  } else {
    batch = { entries: entries(lastIndex + 1, 1 + Math.floor(random() * 3)), hardState: { term: s.term, vote: 'n1', commit: seq } };
  }
  s.bounds = checkLogWrite(s.bounds, batch);
  return batch;
}

/**
 * Checks that `reopened` is `start` with exactly the first n of `batches` applied, for some n
 * ≥ `acknowledged`; returns n.
 */
export async function checkPrefix(start: StoredState, batches: readonly LogWrite[], acknowledged: number, reopened: StoredState): Promise<number> {
  const applied = reopened.hardState.commit - start.hardState.commit;
  if (applied < acknowledged || applied > batches.length) {
    throw new Error(`${applied} of ${batches.length} batches survived, but ${acknowledged} were acknowledged`);
  }
  const model = new MemoryLogStore({ data: memoryDataOf(start) });
  for (const batch of batches.slice(0, applied)) await model.write(batch);
  assertEqual(reopened, await model.load(), `the reopened store against the first ${applied} batches`);
  return applied;
}

function memoryDataOf(stored: StoredState): ReturnType<typeof createMemoryLogData> {
  const data = createMemoryLogData();
  const snapshotIndex = stored.snapshot?.meta.index ?? 0;
  data.hardState = stored.hardState;
  data.snapshot = stored.snapshot;
  data.entries = [...stored.entries];
  data.bounds = { floor: snapshotIndex, lastIndex: stored.entries[stored.entries.length - 1]?.index ?? snapshotIndex, snapshotIndex };
  data.written = !stored.empty;
  return data;
}

/** The workload of the kill test: entries up to 1.5 KiB, so a group is a write of hundreds of KiB. */
export const KILL_WORKLOAD: WorkloadOptions = { maxEntryBytes: 1500, snapshotRate: 0.004, installRate: 0.0005, overwriteRate: 0.05 };

import type { Entry, HardState, LogBounds, Snapshot } from '@webraft/core';
import type { IDBPDatabase } from 'idb';
import { CorruptRecordError } from './errors.ts';
import {
  CHUNKS,
  checkEntryFields,
  checkHardState,
  checkIdentity,
  checkSnapshotRecord,
  FLOOR_KEY,
  HARD_STATE_KEY,
  IDENTITY_KEY,
  type IdentityRecord,
  isIndex,
  META,
  OBJECT_STORES,
  RUNS,
  SNAPSHOT_KEY,
  type SnapshotRecord,
  WRITTEN_KEY,
} from './records.ts';
import { overlay, type RunIndex } from './runs.ts';

/** Everything in the database, checked record by record. */
export interface DatabaseContents {
  readonly identity?: IdentityRecord;
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot;
  /** Every stored entry after the floor, including any at or below the snapshot not compacted yet. */
  readonly entries: Entry[];
  readonly bounds: LogBounds;
  readonly runs: RunIndex;
  /** Some write has landed since the database was created. */
  readonly written: boolean;
}

type Corrupt = (objectStore: string, key: IDBValidKey, detail: string) => CorruptRecordError;

export async function readContents(db: IDBPDatabase, store: string): Promise<DatabaseContents> {
  const tx = db.transaction([...OBJECT_STORES], 'readonly');
  const meta = tx.objectStore(META);
  const [identity, hardState, snapRecord, floorRecord, written, chunkKeys, chunks, runKeys, runValues] = await Promise.all([
    meta.get(IDENTITY_KEY),
    meta.get(HARD_STATE_KEY),
    meta.get(SNAPSHOT_KEY),
    meta.get(FLOOR_KEY),
    meta.get(WRITTEN_KEY),
    tx.objectStore(CHUNKS).getAllKeys(),
    tx.objectStore(CHUNKS).getAll(),
    tx.objectStore(RUNS).getAllKeys(),
    tx.objectStore(RUNS).getAll(),
    tx.done,
  ]);
  const corrupt: Corrupt = (objectStore, key, detail) => new CorruptRecordError(store, objectStore, key, detail);

  if (identity !== undefined) {
    const problem = checkIdentity(identity);
    if (problem) throw corrupt(META, IDENTITY_KEY, problem);
  }
  if (hardState !== undefined) {
    const problem = checkHardState(hardState);
    if (problem) throw corrupt(META, HARD_STATE_KEY, problem);
  }
  const snapshot = snapRecord === undefined ? undefined : assembleSnapshot(snapRecord, chunkKeys, chunks, corrupt);
  const snapIndex = snapshot?.meta.index ?? 0;
  if (floorRecord !== undefined && !isIndex(floorRecord)) throw corrupt(META, FLOOR_KEY, 'not an index');
  const floor = floorRecord ?? 0;
  if (floor > snapIndex) throw corrupt(META, FLOOR_KEY, `${floor} is beyond the snapshot at ${snapIndex}`);
  if (written !== undefined && written !== true) throw corrupt(META, WRITTEN_KEY, 'not true');

  const entries = assembleRuns(runKeys, runValues, floor, corrupt);
  const first = entries[0];
  if (first && first.index !== floor + 1) throw corrupt(RUNS, first.index, `the log must start right after index ${floor}`);
  const hasState = written === true || hardState !== undefined || snapshot !== undefined || first !== undefined;
  if (identity === undefined && hasState) throw corrupt(META, IDENTITY_KEY, 'missing while the database holds log state');
  const lastIndex = entries[entries.length - 1]?.index ?? floor;
  return {
    ...(identity !== undefined && { identity: identity as IdentityRecord }),
    ...(hardState !== undefined && { hardState: hardState as HardState }),
    ...(snapshot !== undefined && { snapshot }),
    entries,
    bounds: { floor, lastIndex, snapshotIndex: snapIndex },
    runs: { keys: runKeys as number[], last: lastIndex },
    written: hasState,
  };
}

/**
 * Rebuilds the log from runs in key order (each overrides the log from its first index on),
 * checking every run, and keeps the entries after `floor`.
 */
export function assembleRuns(keys: IDBValidKey[], values: unknown[], floor: number, corrupt: Corrupt): Entry[] {
  const log: Entry[] = [];
  for (let r = 0; r < values.length; r++) {
    const key = keys[r]!;
    const run = values[r];
    if (!isIndex(key) || key < 1) throw corrupt(RUNS, key, 'the key is not an index');
    if (!Array.isArray(run) || run.length === 0) throw corrupt(RUNS, key, 'not a non-empty list of entries');
    const start = log[0]?.index;
    const end = start === undefined ? undefined : start + log.length - 1;
    if (end !== undefined && key > end + 1) throw corrupt(RUNS, key, `a hole after entry ${end}`);
    for (let i = 0; i < run.length; i++) {
      const problem = checkEntryFields(run[i]);
      if (problem) throw corrupt(RUNS, key, `entry ${i}: ${problem}`);
      const e = run[i] as Entry;
      if (e.index !== key + i) throw corrupt(RUNS, key, `entry ${i} has index ${e.index}, expected ${key + i}`);
    }
    overlay(log, key, run as Entry[]);
  }
  for (let i = 1; i < log.length; i++) {
    if (log[i]!.term < log[i - 1]!.term) {
      throw corrupt(RUNS, log[i]!.index, `term ${log[i]!.term} is below the previous term ${log[i - 1]!.term}`);
    }
  }
  const firstIndex = log[0]?.index ?? floor + 1;
  return floor >= firstIndex ? log.slice(floor - firstIndex + 1) : log;
}

function assembleSnapshot(record: unknown, keys: IDBValidKey[], chunks: unknown[], corrupt: Corrupt): Snapshot {
  const problem = checkSnapshotRecord(record);
  if (problem) throw corrupt(META, SNAPSHOT_KEY, problem);
  const r = record as SnapshotRecord;
  if (chunks.length !== r.chunkCount) {
    throw corrupt(CHUNKS, chunks.length, `${chunks.length} chunks stored, ${r.chunkCount} expected`);
  }
  const data = new Uint8Array(r.byteLength);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (keys[i] !== i) throw corrupt(CHUNKS, keys[i]!, `chunk ${i} is missing`);
    if (!(chunk instanceof Uint8Array)) throw corrupt(CHUNKS, i, 'not a Uint8Array');
    if (offset + chunk.byteLength > r.byteLength) throw corrupt(CHUNKS, i, `chunks exceed ${r.byteLength} bytes`);
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (offset !== r.byteLength) throw corrupt(CHUNKS, chunks.length, `chunks hold ${offset} of ${r.byteLength} bytes`);
  return { meta: { index: r.index, term: r.term, conf: r.conf }, data };
}

import type { Entry, HardState, LogBounds, Snapshot } from '@webraft/core';
import type { IDBPDatabase } from 'idb';
import { CorruptRecordError } from './errors.ts';
import {
  CHUNKS,
  checkEntryFields,
  checkHardState,
  checkIdentity,
  checkSnapshotRecord,
  ENTRIES,
  FLOOR_KEY,
  HARD_STATE_KEY,
  isIndex,
  IDENTITY_KEY,
  type IdentityRecord,
  META,
  OBJECT_STORES,
  SNAPSHOT_KEY,
  type SnapshotRecord,
  WRITTEN_KEY,
} from './records.ts';

/** Everything in the database, checked record by record. */
export interface DatabaseContents {
  readonly identity?: IdentityRecord;
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot;
  /** Every stored entry, including any at or below the snapshot that were not compacted yet. */
  readonly entries: Entry[];
  readonly bounds: LogBounds;
  /** Some write has landed since the database was created. */
  readonly written: boolean;
}

export async function readContents(db: IDBPDatabase, store: string): Promise<DatabaseContents> {
  const tx = db.transaction([...OBJECT_STORES], 'readonly');
  const meta = tx.objectStore(META);
  const [identity, hardState, snapRecord, floorRecord, written, chunkKeys, chunks, entryKeys, entryValues] = await Promise.all([
    meta.get(IDENTITY_KEY),
    meta.get(HARD_STATE_KEY),
    meta.get(SNAPSHOT_KEY),
    meta.get(FLOOR_KEY),
    meta.get(WRITTEN_KEY),
    tx.objectStore(CHUNKS).getAllKeys(),
    tx.objectStore(CHUNKS).getAll(),
    tx.objectStore(ENTRIES).getAllKeys(),
    tx.objectStore(ENTRIES).getAll(),
    tx.done,
  ]);
  const corrupt = (objectStore: string, key: IDBValidKey, detail: string) =>
    new CorruptRecordError(store, objectStore, key, detail);

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
  const entries = checkEntries(entryKeys, entryValues, corrupt);
  const first = entries[0];
  const last = entries[entries.length - 1];
  if (first && first.index !== floor + 1) {
    throw corrupt(ENTRIES, first.index, `the log must start right after index ${floor}`);
  }
  const hasState = written === true || hardState !== undefined || snapshot !== undefined || first !== undefined;
  if (identity === undefined && hasState) {
    throw corrupt(META, IDENTITY_KEY, 'missing while the database holds log state');
  }
  return {
    ...(identity !== undefined && { identity: identity as IdentityRecord }),
    ...(hardState !== undefined && { hardState: hardState as HardState }),
    ...(snapshot !== undefined && { snapshot }),
    entries,
    bounds: { floor, lastIndex: last?.index ?? floor, snapshotIndex: snapIndex },
    written: hasState,
  };
}

type Corrupt = (objectStore: string, key: IDBValidKey, detail: string) => CorruptRecordError;

/** Checks entries read back (keys and values in key order): sound fields, contiguous, terms never falling. */
export function checkEntries(keys: IDBValidKey[], values: unknown[], corrupt: Corrupt): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < values.length; i++) {
    const key = keys[i]!;
    const value = values[i];
    const problem = checkEntryFields(value);
    if (problem) throw corrupt(ENTRIES, key, problem);
    const e = value as Entry;
    if (e.index !== key) throw corrupt(ENTRIES, key, `holds entry ${e.index}`);
    const prev = entries[i - 1];
    if (prev && e.index !== prev.index + 1) throw corrupt(ENTRIES, key, `a hole after entry ${prev.index}`);
    if (prev && e.term < prev.term) throw corrupt(ENTRIES, key, `term ${e.term} is below the previous term ${prev.term}`);
    entries.push(e);
  }
  return entries;
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

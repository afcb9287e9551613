/**
 * How the log lies in the object's key-value storage, under the store's prefix:
 *
 *   {p}meta                 hard state, log bounds, the snapshot's meta and size (one value)
 *   {p}e:{index}            an entry: term, type, and its data, or the number of its chunks
 *   {p}e:{index}:{n}        the n-th chunk (from 1) of a large entry's data
 *   {p}s:{n}                the n-th chunk (from 0) of the snapshot's data
 *
 * Indexes are written as 16 decimal digits, so keys sort in log order and an entry's chunks
 * sort right after it: a range of entries is one `list` from `e:{from}` to `e:{to}`. A value
 * holds at most 128 KiB, so data larger than a chunk is split.
 */
import type { Entry, EntryType, HardState, SnapshotMeta } from '@webraft/core';
import { CorruptRecordError } from './errors.ts';

export interface Keys {
  readonly prefix: string;
  readonly meta: string;
  entry(index: number): string;
  chunk(index: number, n: number): string;
  snapshotChunk(n: number): string;
}

export function keysFor(prefix: string): Keys {
  return {
    prefix,
    meta: `${prefix}meta`,
    entry: (index) => `${prefix}e:${pad(index)}`,
    chunk: (index, n) => `${prefix}e:${pad(index)}:${String(n).padStart(6, '0')}`,
    snapshotChunk: (n) => `${prefix}s:${String(n).padStart(6, '0')}`,
  };
}

function pad(index: number): string {
  return String(index).padStart(16, '0');
}

export interface SnapshotInfo {
  readonly meta: SnapshotMeta;
  readonly bytes: number;
  readonly chunks: number;
}

/** The `meta` value. */
export interface MetaRecord {
  readonly version: 1;
  readonly hardState: HardState;
  /** Entries start after it (a snapshot installed or a compaction). */
  readonly floor: number;
  /** The last stored entry, or `floor` when none is. */
  readonly lastIndex: number;
  readonly snapshot?: SnapshotInfo;
}

/** An `e:{index}` value: the data inline (`d`), or split into `n` chunks of `b` bytes in all. */
export type EntryRecord = { readonly t: number; readonly y: number; readonly d: Uint8Array } | { readonly t: number; readonly y: number; readonly n: number; readonly b: number };

const typeCodes: Record<EntryType, number> = { normal: 0, noop: 1, config: 2 };
const types: readonly EntryType[] = ['normal', 'noop', 'config'];

/**
 * A copy of `bytes` in a buffer of its own: storage serializes a typed array with its whole
 * buffer, and the data the core hands over is often a view into a larger one (a frame).
 */
export function compact(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** The values an entry is stored as: its record, and its chunks (none when the data fits in one value). */
export function entryValues(keys: Keys, entry: Entry, chunkBytes: number): [string, unknown][] {
  const data = entry.data;
  if (data.length <= chunkBytes) return [[keys.entry(entry.index), { t: entry.term, y: typeCodes[entry.type], d: compact(data) }]];
  const n = Math.ceil(data.length / chunkBytes);
  const values: [string, unknown][] = [[keys.entry(entry.index), { t: entry.term, y: typeCodes[entry.type], n, b: data.length }]];
  for (let k = 1; k <= n; k++) values.push([keys.chunk(entry.index, k), data.slice((k - 1) * chunkBytes, k * chunkBytes)]);
  return values;
}

/**
 * The entries of a `list` over a range of `e:` keys, in order (a record followed by its
 * chunks), noting in `chunked` those split into chunks; throws {@link CorruptRecordError} on
 * anything else.
 */
export function readEntries(keys: Keys, values: Map<string, unknown>, from: number, chunked?: Map<number, number>): Entry[] {
  const entries: Entry[] = [];
  const iterator = values.entries();
  let next = iterator.next();
  let index = from;
  while (!next.done) {
    const [key, value] = next.value;
    if (key !== keys.entry(index)) throw new CorruptRecordError(key, `expected the entry at index ${index}`);
    const record = checkEntryRecord(key, value);
    let data: Uint8Array;
    if ('d' in record) {
      data = record.d;
      next = iterator.next();
    } else {
      chunked?.set(index, record.n);
      data = new Uint8Array(record.b);
      let at = 0;
      for (let k = 1; k <= record.n; k++) {
        next = iterator.next();
        const chunkKey = keys.chunk(index, k);
        if (next.done || next.value[0] !== chunkKey || !(next.value[1] instanceof Uint8Array)) throw new CorruptRecordError(chunkKey, 'chunk missing');
        const chunk = next.value[1];
        if (at + chunk.length > record.b) throw new CorruptRecordError(chunkKey, 'chunks longer than the entry');
        data.set(chunk, at);
        at += chunk.length;
      }
      if (at !== record.b) throw new CorruptRecordError(key, `chunks hold ${at} of ${record.b} bytes`);
      next = iterator.next();
    }
    entries.push({ index, term: record.t, type: types[record.y]!, data });
    index++;
  }
  return entries;
}

function checkEntryRecord(key: string, value: unknown): EntryRecord {
  const record = value as Partial<{ t: unknown; y: unknown; d: unknown; n: unknown; b: unknown }> | null;
  if (typeof record !== 'object' || record === null) throw new CorruptRecordError(key, 'not an entry record');
  if (!isCount(record.t) || !(typeof record.y === 'number' && types[record.y] !== undefined)) throw new CorruptRecordError(key, 'bad term or type');
  if (record.d instanceof Uint8Array) return record as EntryRecord;
  if (isCount(record.n) && record.n > 0 && isCount(record.b)) return record as EntryRecord;
  throw new CorruptRecordError(key, 'neither data nor chunks');
}

/** The `meta` value, checked; undefined when the store was never written. */
export function readMeta(key: string, value: unknown): MetaRecord | undefined {
  if (value === undefined) return undefined;
  const meta = value as Partial<MetaRecord> | null;
  if (typeof meta !== 'object' || meta === null || meta.version !== 1) throw new CorruptRecordError(key, 'not a meta record of version 1');
  const hs = meta.hardState;
  if (typeof hs !== 'object' || hs === null || !isCount(hs.term) || !isCount(hs.commit) || typeof hs.vote !== 'string' || !(hs.store === undefined || typeof hs.store === 'string')) {
    throw new CorruptRecordError(key, 'malformed hard state');
  }
  if (!isCount(meta.floor) || !isCount(meta.lastIndex) || meta.lastIndex < meta.floor) throw new CorruptRecordError(key, 'malformed log bounds');
  const snapshot = meta.snapshot;
  if (snapshot !== undefined) {
    const snapshotMeta = snapshot?.meta as Partial<SnapshotMeta> | undefined;
    if (
      typeof snapshot !== 'object' ||
      snapshot === null ||
      !isCount(snapshot.bytes) ||
      !isCount(snapshot.chunks) ||
      !isCount(snapshotMeta?.index) ||
      !isCount(snapshotMeta.term) ||
      typeof snapshotMeta.conf !== 'object' ||
      snapshotMeta.conf === null
    ) {
      throw new CorruptRecordError(key, 'malformed snapshot');
    }
    if (snapshot.meta.index < meta.floor) throw new CorruptRecordError(key, 'snapshot before the start of the log');
  }
  return meta as MetaRecord;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

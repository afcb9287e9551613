/**
 * The LogStore rules as one pure check, shared by every backend: validate a whole batch
 * against the store's bounds before touching anything, so a refused batch leaves the store
 * exactly as it was.
 */
import type { Entry, HardState, Snapshot } from '../raft/types.ts';
import type { LogWrite } from './log-store.ts';
import { InvalidLogWriteError, LogCompactionError, LogHoleError } from './errors.ts';

/** Where a store's log stands; enough to check a batch without reading entries. */
export interface LogBounds {
  /** Index of the last entry dropped by a snapshot install or a compaction (0: none). Entries start after it. */
  readonly floor: number;
  /** Index of the last stored entry, or `floor` when none is stored. */
  readonly lastIndex: number;
  /** Index of the latest durable snapshot, 0 when there is none. */
  readonly snapshotIndex: number;
}

export const emptyLogBounds: LogBounds = Object.freeze({ floor: 0, lastIndex: 0, snapshotIndex: 0 });

/** Throws a typed {@link LogStoreError} if `batch` breaks a LogStore rule; returns the bounds after it. */
export function checkLogWrite(bounds: LogBounds, batch: LogWrite): LogBounds {
  let { floor, lastIndex, snapshotIndex } = bounds;
  if (!isObject(batch) || (batch.entries !== undefined && !Array.isArray(batch.entries))) {
    throw new InvalidLogWriteError('a write must be an object and its entries an array');
  }
  if (batch.installSnapshot !== undefined) {
    const index = checkSnapshot(batch.installSnapshot, 'installSnapshot');
    if (index < snapshotIndex) {
      throw new InvalidLogWriteError(`installSnapshot at ${index} is older than the stored snapshot at ${snapshotIndex}`);
    }
    floor = index;
    lastIndex = index;
    snapshotIndex = index;
  }
  if (batch.entries !== undefined && batch.entries.length > 0) {
    const first = checkEntries(batch.entries);
    if (first > lastIndex + 1) {
      throw new LogHoleError(`entries start at ${first} but the last stored index is ${lastIndex}`);
    }
    if (first <= floor) {
      throw new InvalidLogWriteError(`entries start at ${first}, inside the snapshot or compacted prefix (≤ ${floor})`);
    }
    lastIndex = first + batch.entries.length - 1;
  }
  if (batch.hardState !== undefined) checkHardState(batch.hardState);
  if (batch.saveSnapshot !== undefined) {
    const index = checkSnapshot(batch.saveSnapshot, 'saveSnapshot');
    if (index < snapshotIndex) {
      throw new InvalidLogWriteError(`saveSnapshot at ${index} is older than the stored snapshot at ${snapshotIndex}`);
    }
    if (index > lastIndex) {
      throw new InvalidLogWriteError(`saveSnapshot at ${index} is beyond the last stored index ${lastIndex}`);
    }
    snapshotIndex = index;
  }
  if (batch.compactTo !== undefined) {
    const to = batch.compactTo;
    if (!isIndex(to)) throw new InvalidLogWriteError(`compactTo must be a non-negative integer, got ${String(to)}`);
    if (to > snapshotIndex) {
      throw new LogCompactionError(`compactTo ${to} is beyond the latest durable snapshot at ${snapshotIndex}`);
    }
    if (to > floor) {
      floor = to;
      if (lastIndex < floor) lastIndex = floor;
    }
  }
  return { floor, lastIndex, snapshotIndex };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Returns the first index; checks every entry is well-formed, contiguous, with non-decreasing terms. */
function checkEntries(entries: readonly Entry[]): number {
  let first = 0;
  let term = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (!isObject(entry)) throw new InvalidLogWriteError(`entry ${i} is not an object`);
    if (i === 0) first = entry.index;
    if (!isIndex(entry.index) || entry.index === 0 || entry.index !== first + i) {
      throw new InvalidLogWriteError(`entry ${i} has index ${String(entry.index)}, expected ${first + i}`);
    }
    if (!isIndex(entry.term) || entry.term < term) {
      throw new InvalidLogWriteError(`entry ${entry.index} has term ${String(entry.term)} after term ${term}`);
    }
    if (entry.type !== 'normal' && entry.type !== 'noop' && entry.type !== 'config') {
      throw new InvalidLogWriteError(`entry ${entry.index} has unknown type ${String(entry.type)}`);
    }
    if (!(entry.data instanceof Uint8Array)) {
      throw new InvalidLogWriteError(`entry ${entry.index} data is not a Uint8Array`);
    }
    term = entry.term;
  }
  return first;
}

function checkHardState(hs: HardState): void {
  if (!isObject(hs) || !isIndex(hs.term) || !isIndex(hs.commit) || typeof hs.vote !== 'string') {
    throw new InvalidLogWriteError(`malformed hardState ${JSON.stringify(hs)}`);
  }
}

function checkSnapshot(snapshot: Snapshot, what: string): number {
  if (!isObject(snapshot)) throw new InvalidLogWriteError(`${what} is not an object`);
  const { meta, data } = snapshot;
  if (!isObject(meta) || !isIndex(meta.index) || !isIndex(meta.term) || meta.conf === undefined) {
    throw new InvalidLogWriteError(`${what} has malformed meta`);
  }
  if (!(data instanceof Uint8Array)) throw new InvalidLogWriteError(`${what} data is not a Uint8Array`);
  return meta.index;
}

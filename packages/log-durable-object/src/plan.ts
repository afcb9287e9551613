/**
 * What a group of writes changes in storage, worked out before the transaction: the batches
 * are applied in order to a copy of the store's state, and every key they touch ends as one
 * put or one delete (a key written by one batch and deleted by a later one is deleted).
 */
import type { LogWrite, Snapshot } from '@webraft/core';
import { compact, entryValues, type Keys, type MetaRecord, type SnapshotInfo } from './records.ts';

/** The store's state as far as writes need it. */
export interface StoreState {
  meta: MetaRecord;
  /** Stored entries whose data is split into chunks: index → chunks. */
  readonly chunked: Map<number, number>;
}

/** Marks a key to delete. */
export const remove: unique symbol = Symbol('remove');
export type Change = unknown | typeof remove;

export function copyState(state: StoreState): StoreState {
  return { meta: state.meta, chunked: new Map(state.chunked) };
}

/** Applies `batch` (already checked against the rules) to `state`, recording the changes. */
export function planWrite(state: StoreState, batch: LogWrite, keys: Keys, chunkBytes: number, changes: Map<string, Change>): void {
  let { hardState, floor, lastIndex, snapshot } = state.meta;
  const dropEntries = (from: number, to: number): void => {
    for (let index = from; index <= to; index++) {
      changes.set(keys.entry(index), remove);
      const chunks = state.chunked.get(index) ?? 0;
      for (let k = 1; k <= chunks; k++) changes.set(keys.chunk(index, k), remove);
      state.chunked.delete(index);
    }
  };
  const saveSnapshot = (next: Snapshot): SnapshotInfo => {
    const data = next.data;
    const chunks = Math.ceil(data.length / chunkBytes);
    for (let n = 0; n < chunks; n++) changes.set(keys.snapshotChunk(n), compact(data.subarray(n * chunkBytes, (n + 1) * chunkBytes)));
    for (let n = chunks; n < (snapshot?.chunks ?? 0); n++) changes.set(keys.snapshotChunk(n), remove);
    return { meta: next.meta, bytes: data.length, chunks };
  };

  if (batch.installSnapshot !== undefined) {
    dropEntries(floor + 1, lastIndex);
    snapshot = saveSnapshot(batch.installSnapshot);
    floor = lastIndex = batch.installSnapshot.meta.index;
  }
  if (batch.entries !== undefined && batch.entries.length > 0) {
    dropEntries(batch.entries[0]!.index, lastIndex);
    for (const entry of batch.entries) {
      const values = entryValues(keys, entry, chunkBytes);
      for (const [key, value] of values) changes.set(key, value);
      if (values.length > 1) state.chunked.set(entry.index, values.length - 1);
    }
    lastIndex = batch.entries.at(-1)!.index;
  }
  if (batch.hardState !== undefined) hardState = batch.hardState;
  if (batch.saveSnapshot !== undefined) snapshot = saveSnapshot(batch.saveSnapshot);
  if (batch.compactTo !== undefined && batch.compactTo > floor) {
    dropEntries(floor + 1, Math.min(batch.compactTo, lastIndex));
    floor = batch.compactTo;
    if (lastIndex < floor) lastIndex = floor;
  }
  state.meta = { version: 1, hardState, floor, lastIndex, ...(snapshot !== undefined && { snapshot }) };
  changes.set(keys.meta, state.meta);
}

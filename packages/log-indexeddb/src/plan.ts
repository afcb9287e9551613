import {
  checkLogWrite,
  type Entry,
  type HardState,
  InvalidLogWriteError,
  type LogBounds,
  type LogWrite,
  type Snapshot,
} from '@webraft/core';
import { checkConf } from './records.ts';

/** One step of a write, in the order it must reach IndexedDB. */
export type WriteOp =
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot; readonly install: boolean }
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState }
  | { readonly kind: 'compact'; readonly to: number };

/**
 * Checks a LogWrite against the log as it will be once every earlier write lands (the
 * shared rules of `checkLogWrite`, plus what IndexedDB needs) and turns it into the steps to
 * run. Throws a typed LogStoreError and changes nothing when the write breaks a rule.
 */
export function planWrite(bounds: LogBounds, batch: LogWrite): { ops: WriteOp[]; after: LogBounds } {
  if (typeof batch !== 'object' || batch === null) throw new InvalidLogWriteError('a LogWrite must be an object');
  for (const field of ['installSnapshot', 'saveSnapshot'] as const) {
    const problem = batch[field] === undefined ? undefined : checkConf(batch[field].meta?.conf);
    if (problem) throw new InvalidLogWriteError(`${field}.meta.conf: ${problem}`);
  }
  const after = checkLogWrite(bounds, batch);

  const ops: WriteOp[] = [];
  let { floor } = bounds;
  if (batch.installSnapshot !== undefined) {
    ops.push({ kind: 'snapshot', snapshot: ownedSnapshot(batch.installSnapshot), install: true });
    floor = batch.installSnapshot.meta.index;
  }
  if (batch.entries !== undefined && batch.entries.length > 0) {
    ops.push({ kind: 'entries', entries: batch.entries.map(ownedEntry) });
  }
  if (batch.hardState !== undefined) {
    const { term, vote, commit, store } = batch.hardState;
    ops.push({ kind: 'hardState', hardState: store === undefined ? { term, vote, commit } : { term, vote, commit, store } });
  }
  if (batch.saveSnapshot !== undefined) {
    ops.push({ kind: 'snapshot', snapshot: ownedSnapshot(batch.saveSnapshot), install: false });
  }
  if (batch.compactTo !== undefined && batch.compactTo > floor) {
    ops.push({ kind: 'compact', to: batch.compactTo });
  }
  return { ops, after };
}

/**
 * IndexedDB clones a typed array's whole buffer: a small view on a large buffer would store
 * the large buffer. Copy such views so each record holds only its own bytes.
 */
export function ownedBytes(data: Uint8Array): Uint8Array {
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  return whole ? data : data.slice();
}

function ownedEntry(e: Entry): Entry {
  return { term: e.term, index: e.index, type: e.type, data: ownedBytes(e.data) };
}

/** Copies the metadata now: the caller may reuse its objects before the transaction runs. */
function ownedSnapshot(s: Snapshot): Snapshot {
  const { index, term, conf } = s.meta;
  return {
    meta: {
      index,
      term,
      conf: {
        voters: [...conf.voters],
        learners: [...conf.learners],
        votersOutgoing: [...conf.votersOutgoing],
        learnersNext: [...conf.learnersNext],
        autoLeave: conf.autoLeave,
        ...(conf.stores !== undefined ? { stores: { ...conf.stores } } : {}),
      },
    },
    data: s.data,
  };
}

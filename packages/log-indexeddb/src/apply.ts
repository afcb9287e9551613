import type { HardState } from '@webraft/core';
import { ownedBytes, type WriteOp } from './plan.ts';
import { CHUNKS, ENTRIES, FLOOR_KEY, HARD_STATE_KEY, META, SNAPSHOT_KEY, type SnapshotRecord, WRITTEN_KEY } from './records.ts';

/**
 * Issues the requests of a group of writes on one readwrite transaction, in order. Requests
 * are raw IDB ones: a failing request aborts the whole transaction (its error is not
 * handled), and the hot path makes no Promise per request.
 */
export function applyOps(tx: IDBTransaction, ops: readonly WriteOp[], chunkBytes: number, firstWrite: boolean): void {
  const meta = tx.objectStore(META);
  const entries = tx.objectStore(ENTRIES);
  const chunks = tx.objectStore(CHUNKS);
  // Only the last hard state of the group matters: the transaction lands whole or not at all.
  let hardState: HardState | undefined;
  for (const op of ops) {
    switch (op.kind) {
      case 'snapshot': {
        const { meta: m, data } = op.snapshot;
        if (op.install) {
          entries.clear();
          meta.put(m.index, FLOOR_KEY);
        }
        chunks.clear();
        const chunkCount = Math.ceil(data.byteLength / chunkBytes);
        for (let i = 0; i < chunkCount; i++) {
          chunks.put(ownedBytes(data.subarray(i * chunkBytes, (i + 1) * chunkBytes)), i);
        }
        const record: SnapshotRecord = { index: m.index, term: m.term, conf: m.conf, byteLength: data.byteLength, chunkCount };
        meta.put(record, SNAPSHOT_KEY);
        break;
      }
      case 'entries':
        if (op.truncateFrom !== undefined) entries.delete(IDBKeyRange.lowerBound(op.truncateFrom));
        for (const e of op.entries) entries.put(e, e.index);
        break;
      case 'hardState':
        hardState = op.hardState;
        break;
      case 'compact':
        entries.delete(IDBKeyRange.upperBound(op.to));
        meta.put(op.to, FLOOR_KEY);
        break;
    }
  }
  if (hardState) meta.put(hardState, HARD_STATE_KEY);
  if (firstWrite) meta.put(true, WRITTEN_KEY);
}

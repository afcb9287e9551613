import type { Entry, HardState } from '@webraft/core';
import { ownedBytes, type WriteOp } from './plan.ts';
import { CHUNKS, FLOOR_KEY, HARD_STATE_KEY, META, RUNS, SNAPSHOT_KEY, type SnapshotRecord, WRITTEN_KEY } from './records.ts';
import { type RunIndex, runContaining } from './runs.ts';

/**
 * Issues the requests of a group of writes on one readwrite transaction, in order, and
 * updates `runs` to match. Appends that continue one another become a single run record.
 * Requests are raw IDB ones: a failing request aborts the whole transaction (its error is
 * not handled), and the hot path makes no Promise per request.
 */
export function applyOps(
  tx: IDBTransaction,
  ops: readonly WriteOp[],
  runs: RunIndex,
  chunkBytes: number,
  firstWrite: boolean,
): void {
  const meta = tx.objectStore(META);
  const runStore = tx.objectStore(RUNS);
  const chunks = tx.objectStore(CHUNKS);
  // Only the last hard state of the group matters: the transaction lands whole or not at all.
  let hardState: HardState | undefined;
  // The run being gathered; written once nothing more can join it.
  let open: { first: number; entries: Entry[] } | undefined;

  const putOpen = (): void => {
    if (!open) return;
    runStore.put(open.entries, open.first);
    runs.keys.push(open.first);
    runs.last = open.first + open.entries.length - 1;
    open = undefined;
  };

  for (const op of ops) {
    switch (op.kind) {
      case 'entries': {
        const first = op.entries[0]!.index;
        if (open && first >= open.first && first <= open.first + open.entries.length) {
          open.entries.length = first - open.first;
          for (const e of op.entries) open.entries.push(e);
          break;
        }
        if (open && first < open.first) open = undefined;
        putOpen();
        // Stored runs from `first` on are overridden whole; one that starts before it is cut
        // short by the new run when read back.
        const from = runContaining(runs.keys, first - 1) + 1;
        if (from < runs.keys.length) {
          runStore.delete(IDBKeyRange.lowerBound(first));
          runs.keys.length = from;
        }
        open = { first, entries: [...op.entries] };
        break;
      }
      case 'hardState':
        hardState = op.hardState;
        break;
      case 'snapshot': {
        const { meta: m, data } = op.snapshot;
        if (op.install) {
          open = undefined;
          runStore.clear();
          runs.keys.length = 0;
          runs.last = m.index;
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
      case 'compact': {
        putOpen();
        // Run i holds [keys[i], keys[i+1] - 1] (the last one up to runs.last): drop the runs
        // that lie wholly at or below the new floor.
        const { keys } = runs;
        let drop = 0;
        while (drop < keys.length && (drop + 1 < keys.length ? keys[drop + 1]! - 1 : runs.last) <= op.to) drop++;
        if (drop > 0) {
          runStore.delete(IDBKeyRange.upperBound(keys[drop - 1]!));
          keys.splice(0, drop);
        }
        if (runs.last < op.to) runs.last = op.to;
        meta.put(op.to, FLOOR_KEY);
        break;
      }
    }
  }
  putOpen();
  if (hardState) meta.put(hardState, HARD_STATE_KEY);
  if (firstWrite) meta.put(true, WRITTEN_KEY);
}

import type { Entry, HardState, Snapshot } from '../raft/types.ts';

/** What a LogStore holds, as read back at start-up. */
export interface StoredState {
  readonly hardState: HardState;
  /** The latest durable snapshot, if any. */
  readonly snapshot?: Snapshot;
  /** Entries after the snapshot's index (or from index 1), contiguous, no holes. */
  readonly entries: readonly Entry[];
  /** True when the store has never been written: a brand-new or wiped store. */
  readonly empty: boolean;
}

/**
 * One atomic batch of writes. Parts are applied in this order: `installSnapshot`, `entries`,
 * `hardState`, `saveSnapshot`, `compactTo`.
 */
export interface LogWrite {
  /** A snapshot received from a leader: replaces the whole log (every entry is dropped). */
  readonly installSnapshot?: Snapshot;
  /**
   * Entries to append. Every stored entry with index ≥ entries[0].index is dropped first;
   * entries[0].index must be ≤ last stored index + 1 (no holes).
   */
  readonly entries?: readonly Entry[];
  readonly hardState?: HardState;
  /** A snapshot this node took of its own state machine; the log is kept. */
  readonly saveSnapshot?: Snapshot;
  /** Drop entries with index ≤ compactTo. Never beyond the latest durable snapshot's index. */
  readonly compactTo?: number;
}

/**
 * The durable log of one node (the "LogAPI"). Rules every implementation keeps, checked by
 * `logStoreConformance` in `@webraft/core/testing`:
 * - `write` resolves only once the whole batch is durable; a crash before it resolves leaves
 *   either all of the batch or none of it.
 * - Writes become durable in call order: a later write never survives a crash that lost an
 *   earlier one. Callers may issue a write before the previous one resolved.
 * - No holes: the stored entries are always contiguous after the snapshot.
 * - A rejected write (quota, aborted transaction, closed store) rejects with a typed error
 *   and leaves the store as it was before that batch: a `LogStoreError` (errors.ts) whose
 *   `code` says why. `checkLogWrite` (check-write.ts) checks a batch against these rules.
 */
export interface LogStore {
  /** Read everything back. Called once, before any write. */
  load(): Promise<StoredState>;
  write(batch: LogWrite): Promise<void>;
  /** The stored entries with index in [from, to) — for tools and tests; the core keeps its own copy in memory. */
  entries(from: number, to: number): Promise<Entry[]>;
  close(): Promise<void>;
}

/**
 * The in-memory Raft log: every entry since the last compaction point, plus what the
 * driver has been handed (`handedOff`) and what it has confirmed durable (`durable`).
 * The LogStore is a write-behind copy, read only at restart.
 */
import type { Entry, Snapshot } from './types.ts';
import { RaftRestoreError } from './errors.ts';

interface WriteRecord {
  readonly seq: number;
  /** The last entry the write covered and its term; both as of the write. */
  index: number;
  term: number;
}

export function entryBytes(entry: Entry): number {
  // `length`, not `byteLength`: the same for bytes, and V8 (Node 20) inlines only `length`.
  return entry.data.length;
}

export class RaftLog {
  /** Entries with indexes prevIndex+1 .. lastIndex. */
  private entries: Entry[] = [];
  /** The index and term just before `entries` (the compaction or snapshot point). */
  private prevIndex = 0;
  private prevTerm = 0;
  /** The latest snapshot this node holds (sent to followers that fell behind the log). */
  snapshot: Snapshot | undefined;
  /** A snapshot received from a leader, to be handed to the driver in the next Ready. */
  pendingSnapshot: Snapshot | undefined;
  committed = 0;
  /** Last index handed out for applying. */
  applying = 0;
  /** Last index the driver reported applied. */
  applied = 0;
  /** Last index handed to the driver for writing. */
  handedOff = 0;
  /** Last index known durable. */
  durable = 0;
  private writes: WriteRecord[] = [];

  constructor(snapshot: Snapshot | undefined, entries: readonly Entry[]) {
    if (snapshot !== undefined) {
      this.snapshot = snapshot;
      this.prevIndex = snapshot.meta.index;
      this.prevTerm = snapshot.meta.term;
    }
    this.entries = entries.filter((e) => e.index > this.prevIndex);
    this.entries.forEach((e, i) => {
      if (e.index !== this.prevIndex + 1 + i) {
        throw new RaftRestoreError(`restored entries are not contiguous after index ${this.prevIndex}: found ${e.index}`);
      }
    });
    this.handedOff = this.lastIndex();
    this.durable = this.lastIndex();
    this.committed = this.prevIndex;
    this.applying = this.prevIndex;
    this.applied = this.prevIndex;
  }

  firstIndex(): number {
    return this.prevIndex + 1;
  }

  lastIndex(): number {
    return this.prevIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length === 0 ? this.prevTerm : (this.entries[this.entries.length - 1] as Entry).term;
  }

  /** Term of the entry at `index`, or undefined when compacted away or beyond the log. */
  term(index: number): number | undefined {
    if (index === this.prevIndex) return this.prevTerm;
    if (index < this.prevIndex || index > this.lastIndex()) return undefined;
    return (this.entries[index - this.prevIndex - 1] as Entry).term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.prevIndex) return undefined;
    return this.entries[index - this.prevIndex - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a log is at least as up-to-date as ours. */
  isAtLeastAsRecent(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Index of the first entry that conflicts with (or extends) the log; 0 if all are present. */
  findConflict(entries: readonly Entry[]): number {
    for (const e of entries) if (!this.matchTerm(e.index, e.term)) return e.index;
    return 0;
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term`: the highest index that can still
   * match a log whose entry at `index` has `term`. Used for fast log backtracking.
   */
  findConflictByTerm(index: number, term: number): number {
    if (index > this.lastIndex()) return index;
    for (;;) {
      const t = this.term(index);
      if (t === undefined || t <= term) return index;
      index--;
    }
  }

  /**
   * §5.3 AppendEntries on a follower: if the log holds (prevIndex, prevTerm), store the
   * entries (dropping a conflicting suffix) and advance commit. Returns the index of the last
   * new entry, or undefined when the log does not match; 'conflictsCommitted' when the
   * entries would overwrite a committed entry.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    commit: number,
    entries: readonly Entry[],
  ): number | undefined | 'conflictsCommitted' {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= this.committed) return 'conflictsCommitted';
      this.append(entries.slice(conflict - prevIndex - 1));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** Append entries whose first index is ≤ lastIndex+1, dropping any suffix they replace. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.lastIndex()) this.truncateFrom(first.index);
    // A loop, not push(...entries): a batch of many empty entries could exceed the call stack.
    for (const e of entries) this.entries.push(e);
  }

  /** The leader's append of its next entry (index lastIndex+1). */
  appendOne(entry: Entry): void {
    this.entries.push(entry);
  }

  private truncateFrom(index: number): void {
    const keep = index - 1;
    const keepTerm = this.term(keep) ?? this.prevTerm;
    this.entries.length = keep - this.prevIndex;
    this.handedOff = Math.min(this.handedOff, keep);
    this.durable = Math.min(this.durable, keep);
    for (const w of this.writes) {
      if (w.index > keep) {
        w.index = keep;
        w.term = keepTerm;
      }
    }
  }

  commitTo(index: number): boolean {
    const target = Math.min(index, this.lastIndex());
    if (target <= this.committed) return false;
    this.committed = target;
    return true;
  }

  /** Entries in [lo, hi) up to `maxBytes` of data (always at least one entry when lo < hi). */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = Math.max(lo, this.prevIndex + 1); i < hi && i <= this.lastIndex(); i++) {
      const e = this.entries[i - this.prevIndex - 1] as Entry;
      bytes += entryBytes(e);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Entries not yet handed to the driver for writing. */
  unstableEntries(): Entry[] {
    return this.entries.slice(Math.max(0, this.handedOff - this.prevIndex));
  }

  /** Everything up to lastIndex (and a pending snapshot) was handed to the driver in write `seq`. */
  markHandedOff(seq: number): void {
    this.handedOff = this.lastIndex();
    this.writes.push({ seq, index: this.lastIndex(), term: this.lastTerm() });
  }

  /** Writes up to `seq` are durable. */
  persistedTo(seq: number): void {
    while (this.writes.length > 0 && (this.writes[0] as WriteRecord).seq <= seq) {
      const w = this.writes.shift() as WriteRecord;
      // Entries below the compaction point were applied, hence durable.
      if (w.index < this.prevIndex || this.term(w.index) === w.term) {
        this.durable = Math.max(this.durable, w.index);
      }
    }
  }

  /**
   * Replace the whole log by a snapshot from the leader. Nothing after it is durable until
   * the write carrying the snapshot is.
   */
  restore(snapshot: Snapshot): void {
    this.entries = [];
    this.prevIndex = snapshot.meta.index;
    this.prevTerm = snapshot.meta.term;
    this.snapshot = snapshot;
    this.pendingSnapshot = snapshot;
    this.committed = snapshot.meta.index;
    this.applying = snapshot.meta.index;
    this.applied = snapshot.meta.index;
    this.handedOff = snapshot.meta.index;
    this.durable = 0;
    this.writes = [];
  }

  /**
   * Drop entries covered by `snapshot` (taken by this node's state machine), keeping
   * `keepEntries` entries before its index for followers that are only slightly behind.
   */
  compact(snapshot: Snapshot, keepEntries: number): void {
    this.snapshot = snapshot;
    const to = Math.min(snapshot.meta.index - keepEntries, this.lastIndex());
    if (to <= this.prevIndex) return;
    const term = this.term(to) as number;
    this.entries = this.entries.slice(to - this.prevIndex);
    this.prevIndex = to;
    this.prevTerm = term;
  }

  /** Committed entries after `applying` up to `limit`, at most `maxBytes` (at least one). */
  nextToApply(limit: number, maxBytes: number): Entry[] {
    const hi = Math.min(limit, this.lastIndex());
    if (hi <= this.applying) return [];
    return this.slice(this.applying + 1, hi + 1, maxBytes);
  }
}

/**
 * A node's simulated durable log. A write is acknowledged durable after a virtual delay,
 * always in issue order. `view` is what the node has written (durable or not) — the log the
 * core holds in memory; `durable` is what survives a crash. A crash keeps every
 * acknowledged write and, like a real disk, possibly a prefix of the unacknowledged ones.
 */
import type { Entry, HardState, LogWrite, Snapshot } from '@webraft/core';
import { emptyHardState } from '@webraft/core';

export class LogImage {
  hardState: HardState = emptyHardState;
  snapshot: Snapshot | undefined;
  /** Entries after the snapshot, contiguous: entries[k].index === offset + k + 1. */
  entries: Entry[] = [];

  get offset(): number {
    return this.snapshot?.meta.index ?? 0;
  }

  get lastIndex(): number {
    return this.offset + this.entries.length;
  }

  /** Term at `index`, or undefined when the index is compacted away (and not the snapshot's) or absent. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    if (index === this.offset) return this.snapshot?.meta.term;
    return this.entries[index - this.offset - 1]?.term;
  }

  entryAt(index: number): Entry | undefined {
    return this.entries[index - this.offset - 1];
  }

  apply(write: LogWrite): void {
    if (write.installSnapshot) {
      this.snapshot = write.installSnapshot;
      this.entries = [];
    }
    if (write.entries && write.entries.length > 0) {
      const first = (write.entries[0] as Entry).index;
      if (first > this.lastIndex + 1) throw new Error(`log hole: append at ${first} after ${this.lastIndex}`);
      const keep = Math.max(0, first - this.offset - 1);
      if (keep < this.entries.length) this.entries.length = keep;
      for (const e of write.entries) if (e.index > this.offset) this.entries.push(e);
    }
    if (write.hardState) this.hardState = write.hardState;
    if (write.saveSnapshot && write.saveSnapshot.meta.index > this.offset) {
      this.snapshot = write.saveSnapshot;
      this.entries = this.entries.filter((e) => e.index > write.saveSnapshot!.meta.index);
    }
    // Compaction is implied by saving the snapshot in this model; compactTo never goes past it.
  }

  clone(): LogImage {
    const copy = new LogImage();
    copy.hardState = this.hardState;
    copy.snapshot = this.snapshot;
    copy.entries = this.entries.slice();
    return copy;
  }
}

export interface PendingWrite {
  /** The Ready's seq, or 0 for a write of the driver's own (a snapshot of its state machine). */
  readonly seq: number;
  readonly write: LogWrite;
  readonly durableAt: number;
}

export class SimStore {
  readonly durable = new LogImage();
  readonly view = new LogImage();
  private readonly pending: PendingWrite[] = [];
  private lastDurableAt = 0;

  /** Queues a write; returns when it will be durable (never before an earlier write). */
  write(seq: number, write: LogWrite, now: number, delay: number): PendingWrite {
    this.view.apply(write);
    const durableAt = Math.max(this.lastDurableAt, now + delay);
    this.lastDurableAt = durableAt;
    const pending = { seq, write, durableAt };
    this.pending.push(pending);
    return pending;
  }

  /** Acknowledges every write due by `now`, in order. */
  flush(now: number): PendingWrite[] {
    const done: PendingWrite[] = [];
    while (this.pending.length > 0 && (this.pending[0] as PendingWrite).durableAt <= now) {
      const p = this.pending.shift() as PendingWrite;
      this.durable.apply(p.write);
      done.push(p);
    }
    return done;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Loses the unacknowledged writes except the first `survivors` of them (kept in order). */
  crash(survivors: number): void {
    for (const p of this.pending.slice(0, survivors)) this.durable.apply(p.write);
    this.pending.length = 0;
    const copy = this.durable.clone();
    this.view.hardState = copy.hardState;
    this.view.snapshot = copy.snapshot;
    this.view.entries = copy.entries;
  }
}

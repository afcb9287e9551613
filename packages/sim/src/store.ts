/**
 * A node's simulated disk, as a real `LogStore` the node's `RaftNode` writes through. A write
 * is checked like any store checks it, becomes durable after a virtual delay (in issue order,
 * never before an earlier one), and only then resolves. Faults are ordinary inputs here: a
 * crash loses every write not yet durable except, like a real disk, a prefix of them; a write
 * can fail with a typed error; the disk can be slow; and the whole store can come back empty
 * (a wiped browser store or a lost disk) under the same node id.
 */
import { checkLogWrite, emptyHardState, LogQuotaError, LogStoreClosedError } from '@webraft/core';
import type { Entry, HardState, LogBounds, LogStore, LogWrite, Snapshot, StoredState } from '@webraft/core';

export class LogImage {
  hardState: HardState = emptyHardState;
  snapshot: Snapshot | undefined;
  /** Index of the last entry dropped by a snapshot install or a compaction: entries start after it. */
  offset = 0;
  /** Contiguous: entries[k].index === offset + k + 1. */
  entries: Entry[] = [];
  /** Set by the first write: an image never written is a brand-new (or wiped) store. */
  written = false;

  get lastIndex(): number {
    return this.offset + this.entries.length;
  }

  /** Term at `index`, or undefined when the index is compacted away (and not the snapshot's) or absent. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    const entry = this.entries[index - this.offset - 1];
    if (entry !== undefined) return entry.term;
    return index === this.snapshot?.meta.index ? this.snapshot.meta.term : undefined;
  }

  entryAt(index: number): Entry | undefined {
    return this.entries[index - this.offset - 1];
  }

  get bounds(): LogBounds {
    return { floor: this.offset, lastIndex: this.lastIndex, snapshotIndex: this.snapshot?.meta.index ?? 0 };
  }

  /** Applies a batch in the LogStore order: install, entries, hard state, save, compact. */
  apply(write: LogWrite): void {
    this.written = true;
    if (write.installSnapshot) {
      this.snapshot = write.installSnapshot;
      this.offset = write.installSnapshot.meta.index;
      this.entries = [];
    }
    if (write.entries && write.entries.length > 0) {
      const keep = Math.max(0, write.entries[0]!.index - this.offset - 1);
      if (keep < this.entries.length) this.entries.length = keep;
      for (const e of write.entries) if (e.index > this.offset) this.entries.push(e);
    }
    if (write.hardState) this.hardState = write.hardState;
    const saved = write.saveSnapshot;
    if (saved !== undefined && (this.snapshot === undefined || saved.meta.index > this.snapshot.meta.index)) this.snapshot = saved;
    if (write.compactTo !== undefined && write.compactTo > this.offset) {
      const drop = Math.min(write.compactTo, this.lastIndex) - this.offset;
      this.entries = this.entries.slice(drop);
      this.offset += drop;
    }
  }

  clone(): LogImage {
    const copy = new LogImage();
    copy.hardState = this.hardState;
    copy.snapshot = this.snapshot;
    copy.offset = this.offset;
    copy.entries = this.entries.slice();
    copy.written = this.written;
    return copy;
  }
}

/** How fast a simulated disk makes writes durable. */
export type DiskSpeed = 'fast' | 'slow' | 'stalling';

export interface DiskHost {
  readonly now: number;
  /** Durability delay of one write on a disk of this speed, virtual ms. */
  writeDelay(speed: DiskSpeed): number;
  /** Asks to be called back (`flush`) at virtual time `at`. */
  scheduleDurable(store: SimLogStore, at: number): void;
}

interface PendingWrite {
  readonly write: LogWrite;
  readonly durableAt: number;
  readonly resolve: () => void;
}

export class SimLogStore {
  /** What survives a crash. */
  durable = new LogImage();
  /** What the node has written, durable or not. */
  view = new LogImage();
  speed: DiskSpeed = 'fast';
  /** The next this many writes fail (a full or failing disk). */
  failWrites = 0;
  private pending: PendingWrite[] = [];
  private lastDurableAt = 0;
  /** Bumped by a crash: a store handle of an earlier life refuses everything. */
  private life = 0;

  constructor(private readonly host: DiskHost) {}

  /** A handle for one life of the node (a new `RaftNode` gets a new one after each restart). */
  open(): LogStore {
    const life = this.life;
    const live = (): void => {
      if (life !== this.life) throw new LogStoreClosedError('the simulated node crashed');
    };
    return {
      load: async () => {
        live();
        return this.load();
      },
      write: (batch) => {
        try {
          live();
        } catch (error) {
          return Promise.reject(error as Error);
        }
        return this.write(batch);
      },
      entries: async (from, to) => {
        live();
        return this.view.entries.filter((e) => e.index >= from && e.index < to);
      },
      close: async () => undefined,
    };
  }

  load(): Promise<StoredState> {
    const image = this.durable.clone();
    this.view = image.clone();
    return Promise.resolve({
      hardState: image.hardState,
      ...(image.snapshot !== undefined ? { snapshot: image.snapshot } : {}),
      entries: image.entries,
      empty: !image.written,
    });
  }

  write(batch: LogWrite): Promise<void> {
    try {
      checkLogWrite(this.view.bounds, batch);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (this.failWrites > 0) {
      this.failWrites--;
      return Promise.reject(new LogQuotaError('simulated disk refused the write'));
    }
    this.view.apply(batch);
    const durableAt = Math.max(this.lastDurableAt, this.host.now + this.host.writeDelay(this.speed));
    this.lastDurableAt = durableAt;
    return new Promise<void>((resolve) => {
      this.pending.push({ write: batch, durableAt, resolve });
      this.host.scheduleDurable(this, durableAt);
    });
  }

  /**
   * Every vote this disk ever made durable (`term` → candidate, with the store identity it was
   * cast from), across wipes: a vote counts only once durable, and a wiped disk forgets its
   * votes while the cluster may still count them.
   */
  readonly durableVotes: { readonly term: number; readonly vote: string; readonly store: string | undefined }[] = [];

  /** Makes every write due by now durable, in order, and resolves it. */
  flush(now: number): void {
    while (this.pending.length > 0 && this.pending[0]!.durableAt <= now) {
      const p = this.pending.shift()!;
      this.makeDurable(p.write);
      p.resolve();
    }
  }

  private makeDurable(write: LogWrite): void {
    this.durable.apply(write);
    const hs = write.hardState;
    if (hs !== undefined && hs.vote !== '') this.durableVotes.push({ term: hs.term, vote: hs.vote, store: hs.store });
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Loses the writes not yet durable except the first `survivors`; the node's handles go dead. */
  crash(survivors: number): void {
    for (const p of this.pending.slice(0, survivors)) this.makeDurable(p.write);
    this.pending = [];
    this.lastDurableAt = 0;
    this.life++;
    this.view = this.durable.clone();
  }

  /**
   * What the disk held before it was wiped: the invariants still count it as held when
   * checking that a commit was durable on a quorum (the protocol could not know it would be lost).
   */
  wiped: LogImage[] = [];

  /** The store comes back empty, as if never written (call with the node down). */
  wipe(): void {
    this.wiped.push(this.durable);
    this.durable = new LogImage();
    this.view = new LogImage();
  }
}

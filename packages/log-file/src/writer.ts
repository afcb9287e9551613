/**
 * The append side: snapshot files, segment rotation, one write and one fdatasync per group,
 * and deleting what compaction made unneeded. Only the store calls it, one group at a time.
 */
import type { LogBounds } from '@webraft/core';
import { checkpointBytes, encodeBatch, type PreparedBatch, type SnapshotRef } from './codec.ts';
import type { LogFile, LogFileSystem } from './file-system.ts';
import { BATCH, CHECKPOINT, encodeSegmentHeader, FRAME_BYTES, SEGMENT_HEADER_BYTES, sealFrame, segmentFile, snapshotFile } from './format.ts';
import type { LogState, ReadLog, SegmentInfo } from './replay.ts';
import { ignoreMissing, writeSnapshotFile } from './snapshot-file.ts';

export interface GroupItem {
  readonly prepared: PreparedBatch;
  /** The log's bounds once this batch is applied (from checkLogWrite). */
  readonly after: LogBounds;
}

interface ActiveSegment {
  readonly file: LogFile;
  readonly seq: number;
  readonly salt: number;
  end: number;
}

export class SegmentWriter {
  #active: ActiveSegment | undefined;
  #nextSegment: number;
  #nextSnapshot: number;
  #group: number;
  #disk: LogState;
  readonly #segments: SegmentInfo[];
  /** Snapshot files a newer durable snapshot replaced, deleted by dropUnneeded. */
  #obsoleteSnapshots: number[] = [];

  private constructor(
    private readonly fs: LogFileSystem,
    private readonly dir: string,
    private readonly segmentBytes: number,
    read: ReadLog,
    active: ActiveSegment | undefined,
  ) {
    this.#active = active;
    this.#nextSegment = (read.active?.seq ?? 0) + 1;
    this.#nextSnapshot = Math.max(0, ...read.snapshotFiles) + 1;
    this.#group = read.active?.group ?? 0;
    this.#disk = read.state;
    this.#segments = read.segments.map((s) => ({ ...s }));
  }

  static async resume(fs: LogFileSystem, dir: string, segmentBytes: number, read: ReadLog): Promise<SegmentWriter> {
    const a = read.active;
    const active = a && { file: await fs.open(`${dir}/${segmentFile(a.seq)}`), seq: a.seq, salt: a.salt, end: a.end };
    return new SegmentWriter(fs, dir, segmentBytes, read, active);
  }

  /** Makes the whole group durable, or throws having cut what it wrote (as far as the disk lets it). */
  async append(items: readonly GroupItem[]): Promise<void> {
    const refs: { install?: SnapshotRef; save?: SnapshotRef }[] = [];
    for (const { prepared: { batch } } of items) {
      refs.push({
        ...(batch.installSnapshot && { install: await writeSnapshotFile(this.fs, this.dir, this.#nextSnapshot++, batch.installSnapshot) }),
        ...(batch.saveSnapshot && { save: await writeSnapshotFile(this.fs, this.dir, this.#nextSnapshot++, batch.saveSnapshot) }),
      });
    }
    if (this.#active === undefined || this.#active.end >= this.segmentBytes) await this.#rotate();
    const active = this.#active!;
    let size = 0;
    for (const item of items) size += FRAME_BYTES + item.prepared.length;
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    const group = (this.#group + 1) >>> 0;
    let at = 0;
    for (let i = 0; i < items.length; i++) {
      const { prepared } = items[i]!;
      encodeBatch(out, view, at + FRAME_BYTES, prepared, refs[i]!.install, refs[i]!.save);
      sealFrame(out, view, at, prepared.length, group, BATCH, active.salt);
      at += FRAME_BYTES + prepared.length;
    }
    const position = active.end;
    try {
      await active.file.write(out, position);
      await active.file.datasync();
    } catch (error) {
      await active.file.truncate(position).then(() => active.file.datasync()).catch(noop);
      throw error;
    }
    active.end += size;
    this.#group = group;
    for (let i = 0; i < items.length; i++) this.#applied(items[i]!, refs[i]!);
  }

  /** Deletes segments that hold only compacted or overwritten entries, and replaced snapshot files. */
  async dropUnneeded(): Promise<void> {
    const segments = this.#segments;
    while (segments.length > 1 && segments[0]!.maxLive <= this.#disk.bounds.floor) {
      await this.fs.remove(`${this.dir}/${segmentFile(segments[0]!.seq)}`).catch(ignoreMissing);
      // One at a time: a crash must never leave a later segment deleted and an earlier one back.
      await this.fs.syncDirectory(this.dir);
      segments.shift();
    }
    while (this.#obsoleteSnapshots.length > 0) {
      await this.fs.remove(`${this.dir}/${snapshotFile(this.#obsoleteSnapshots[0]!)}`).catch(ignoreMissing);
      this.#obsoleteSnapshots.shift();
    }
  }

  async close(): Promise<void> {
    const active = this.#active;
    this.#active = undefined;
    await active?.file.close();
  }

  #applied({ prepared: { batch }, after }: GroupItem, refs: { install?: SnapshotRef; save?: SnapshotRef }): void {
    if (refs.install) {
      const index = refs.install.meta.index;
      for (const s of this.#segments) s.maxLive = Math.min(s.maxLive, index);
    }
    if (batch.entries !== undefined && batch.entries.length > 0) {
      const first = batch.entries[0]!.index;
      for (const s of this.#segments) if (s.maxLive >= first) s.maxLive = first - 1;
      this.#segments[this.#segments.length - 1]!.maxLive = after.lastIndex;
    }
    const previous = this.#disk.snapshot;
    const snapshot = refs.save ?? refs.install ?? previous;
    if (refs.install && refs.save) this.#obsoleteSnapshots.push(refs.install.seq);
    if (previous && snapshot !== previous) this.#obsoleteSnapshots.push(previous.seq);
    this.#disk = { hardState: batch.hardState ?? this.#disk.hardState, written: true, bounds: after, snapshot };
  }

  /**
   * Starts the next segment. Its header and checkpoint are written under a temporary name,
   * synced and renamed into place, so every segment file has a whole header and checkpoint.
   */
  async #rotate(): Promise<void> {
    const seq = this.#active ? this.#active.seq + 1 : this.#nextSegment;
    const salt = globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
    const d = this.#disk;
    const checkpoint = checkpointBytes({ written: d.written, floor: d.bounds.floor, lastIndex: d.bounds.lastIndex, hardState: d.hardState, snapshot: d.snapshot });
    const out = new Uint8Array(SEGMENT_HEADER_BYTES + FRAME_BYTES + checkpoint.length);
    const view = new DataView(out.buffer);
    encodeSegmentHeader(out, view, seq, salt);
    checkpoint.encode(out, view, SEGMENT_HEADER_BYTES + FRAME_BYTES);
    sealFrame(out, view, SEGMENT_HEADER_BYTES, checkpoint.length, this.#group, CHECKPOINT, salt);
    const path = `${this.dir}/${segmentFile(seq)}`;
    await this.fs.remove(`${path}.tmp`).catch(ignoreMissing);
    const file = await this.fs.create(`${path}.tmp`);
    try {
      await file.write(out, 0);
      await file.datasync();
      await this.fs.rename(`${path}.tmp`, path);
      await this.fs.syncDirectory(this.dir);
    } catch (error) {
      await file.close().catch(noop);
      throw error;
    }
    const previous = this.#active;
    this.#active = { file, seq, salt, end: out.length };
    this.#nextSegment = seq + 1;
    this.#segments.push({ seq, maxLive: 0 });
    await previous?.file.close();
  }
}

function noop(): void {}

/**
 * Reading a log directory back: the segments in order, each record applied as the writer
 * applied it, checked against the LogStore rules on the way (checkLogWrite), so a log that
 * could not have been written raises CorruptLogError instead of loading.
 */
import { checkLogWrite, emptyHardState, type Entry, type HardState, type LogBounds, LogStoreError, type LogWrite } from '@webraft/core';
import { type Checkpoint, PayloadReader, type SnapshotRef } from './codec.ts';
import { CorruptLogError } from './errors.ts';
import type { LogFileSystem } from './file-system.ts';
import { BATCH, CHECKPOINT, decodeSegmentHeader, isTemporaryFile, parseSegmentFile, parseSnapshotFile, SEGMENT_HEADER_BYTES, segmentFile } from './format.ts';
import { scanSegment } from './scan.ts';

/** What the records say, as of the last whole record. */
export interface LogState {
  readonly hardState: HardState;
  readonly written: boolean;
  readonly bounds: LogBounds;
  /** The latest durable snapshot. */
  readonly snapshot: SnapshotRef | undefined;
}

export interface SegmentInfo {
  readonly seq: number;
  /**
   * Highest index among this segment's entries that no later write overwrote (0: none). A
   * segment whose maxLive is at or below the floor holds nothing the log still needs.
   */
  maxLive: number;
}

export interface TornTail {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
}

export interface ReadLog {
  readonly state: LogState;
  /** Entries (floor, lastIndex]. */
  readonly entries: Entry[];
  readonly segments: SegmentInfo[];
  /** Where the next record goes; undefined when no segment exists. */
  readonly active: { readonly seq: number; readonly salt: number; readonly end: number; readonly group: number } | undefined;
  readonly snapshotFiles: number[];
  readonly temporaryFiles: string[];
  /** Torn tails found (and, for a repairing read, cut). */
  readonly torn: TornTail[];
}

const emptyState: LogState = { hardState: emptyHardState, written: false, bounds: { floor: 0, lastIndex: 0, snapshotIndex: 0 }, snapshot: undefined };

/** Reads the directory. With `repair`, torn tails are cut on disk. */
export async function readLog(fs: LogFileSystem, dir: string, repair: boolean): Promise<ReadLog> {
  const names = await fs.list(dir);
  const segmentSeqs = names.map(parseSegmentFile).filter((s): s is number => s !== undefined).sort((a, b) => a - b);
  const snapshotFiles = names.map(parseSnapshotFile).filter((s): s is number => s !== undefined).sort((a, b) => a - b);
  for (let i = 1; i < segmentSeqs.length; i++) {
    if (segmentSeqs[i] !== segmentSeqs[i - 1]! + 1) throw new CorruptLogError(segmentFile(segmentSeqs[i - 1]! + 1), 0, 'segment file missing');
  }
  const log = new Replay();
  const torn: TornTail[] = [];
  let active: ReadLog['active'];
  for (let i = 0; i < segmentSeqs.length; i++) {
    const seq = segmentSeqs[i]!;
    const name = segmentFile(seq);
    const last = i === segmentSeqs.length - 1;
    const bytes = await fs.readFile(`${dir}/${name}`);
    const header = decodeSegmentHeader(bytes);
    if (typeof header === 'string') throw new CorruptLogError(name, 0, header);
    if (header.seq !== seq) throw new CorruptLogError(name, 16, `header says segment ${header.seq}`);
    const scanned = scanSegment(bytes, header.salt, name, last);
    if (scanned.frames.length === 0) throw new CorruptLogError(name, SEGMENT_HEADER_BYTES, 'segment without a checkpoint record');
    if (scanned.tornBytes > 0) torn.push({ file: name, offset: scanned.end, bytes: scanned.tornBytes });
    log.segment(seq);
    for (const [k, frame] of scanned.frames.entries()) {
      const reader = new PayloadReader(bytes, name, frame.start, frame.end);
      const expected = k === 0 ? CHECKPOINT : BATCH;
      if (frame.kind !== expected) throw new CorruptLogError(name, frame.offset, k === 0 ? 'segment does not start with a checkpoint' : 'checkpoint inside a segment');
      if (k === 0) log.checkpoint(reader.checkpoint(), name, frame.offset);
      else log.batch(reader, name, frame.offset);
    }
    active = { seq, salt: header.salt, end: scanned.end, group: scanned.frames[scanned.frames.length - 1]!.group };
  }
  if (repair) await repairTails(fs, dir, torn);
  return {
    ...log.finish(segmentSeqs[0]),
    active,
    snapshotFiles,
    temporaryFiles: names.filter(isTemporaryFile),
    torn,
  };
}

async function repairTails(fs: LogFileSystem, dir: string, torn: readonly TornTail[]): Promise<void> {
  for (const t of torn) {
    const file = await fs.open(`${dir}/${t.file}`);
    try {
      await file.truncate(t.offset);
      await file.datasync();
    } finally {
      await file.close();
    }
  }
}

/** The log as the records build it. Entries before `base` were in segments already deleted. */
class Replay {
  state: LogState = emptyState;
  entries: Entry[] = [];
  /** Entries (floor, base] are not known (their segments were deleted); the log must compact past them. */
  base = 0;
  segments: SegmentInfo[] = [];
  #started = false;

  segment(seq: number): void {
    this.segments.push({ seq, maxLive: 0 });
  }

  checkpoint(c: Checkpoint, file: string, offset: number): void {
    const bounds = { floor: c.floor, lastIndex: c.lastIndex, snapshotIndex: c.snapshot?.meta.index ?? 0 };
    if (!this.#started) {
      this.#started = true;
      this.state = { hardState: c.hardState, written: c.written, bounds, snapshot: c.snapshot };
      this.base = c.lastIndex;
      return;
    }
    const s = this.state;
    const same =
      s.written === c.written && s.bounds.floor === bounds.floor && s.bounds.lastIndex === bounds.lastIndex &&
      s.bounds.snapshotIndex === bounds.snapshotIndex && s.snapshot?.seq === c.snapshot?.seq &&
      s.hardState.term === c.hardState.term && s.hardState.vote === c.hardState.vote && s.hardState.commit === c.hardState.commit && s.hardState.store === c.hardState.store;
    if (!same) throw new CorruptLogError(file, offset, 'checkpoint disagrees with the segments before it');
  }

  batch(reader: PayloadReader, file: string, offset: number): void {
    if (!this.#started) throw new CorruptLogError(file, offset, 'batch record before any checkpoint');
    const r = reader.batch();
    const asWrite: LogWrite = {
      ...(r.install && { installSnapshot: { meta: r.install.meta, data: new Uint8Array(0) } }),
      ...(r.entries && { entries: r.entries }),
      ...(r.hardState && { hardState: r.hardState }),
      ...(r.save && { saveSnapshot: { meta: r.save.meta, data: new Uint8Array(0) } }),
      ...(r.compactTo !== undefined && { compactTo: r.compactTo }),
    };
    let after: LogBounds;
    try {
      after = checkLogWrite(this.state.bounds, asWrite);
    } catch (error) {
      if (error instanceof LogStoreError) throw new CorruptLogError(file, offset, `a record the store would have refused: ${error.message}`);
      throw error;
    }
    const current = this.segments[this.segments.length - 1]!;
    if (r.install) {
      this.entries = [];
      this.base = r.install.meta.index;
      for (const s of this.segments) s.maxLive = Math.min(s.maxLive, r.install.meta.index);
    }
    if (r.entries) {
      const first = r.entries[0]!.index;
      if (first - 1 < this.base) {
        this.entries = [];
        this.base = first - 1;
      } else {
        this.entries.length = first - 1 - this.base;
      }
      for (const e of r.entries) this.entries.push(e);
      for (const s of this.segments) if (s.maxLive >= first) s.maxLive = first - 1;
      current.maxLive = after.lastIndex;
    }
    const floor = after.floor;
    if (floor > this.base) {
      this.entries.splice(0, Math.min(this.entries.length, floor - this.base));
      this.base = floor;
    }
    this.state = {
      hardState: r.hardState ?? this.state.hardState,
      written: true,
      bounds: after,
      snapshot: r.save ?? r.install ?? this.state.snapshot,
    };
  }

  finish(firstSeq: number | undefined): Pick<ReadLog, 'state' | 'entries' | 'segments'> {
    const { floor } = this.state.bounds;
    if (this.base > floor && firstSeq !== undefined) {
      throw new CorruptLogError(segmentFile(firstSeq), 0, `entries ${floor + 1}..${this.base} are missing: an earlier segment was deleted`);
    }
    return { state: this.state, entries: this.entries, segments: this.segments };
  }
}

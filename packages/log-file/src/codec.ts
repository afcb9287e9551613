/**
 * Record payloads. A batch record is one LogWrite without snapshot bytes (snapshots live in
 * their own files and the record names them); a checkpoint opens every segment with the
 * state the segments before it leave behind. Integers are little-endian; indexes and terms
 * take 8 bytes.
 */
import type { Entry, EntryType, HardState, LogWrite, SnapshotMeta } from '@webraft/core';
import { CorruptLogError } from './errors.ts';
import { readU64, writeU64 } from './format.ts';

/** Names the snapshot file a record refers to, with what it must contain. */
export interface SnapshotRef {
  readonly seq: number;
  readonly meta: SnapshotMeta;
  readonly dataLength: number;
  /** The snapshot file's own checksum (its last 4 bytes). */
  readonly crc: number;
}

/** What a checkpoint records: the log as the earlier segments leave it. */
export interface Checkpoint {
  readonly written: boolean;
  readonly floor: number;
  readonly lastIndex: number;
  readonly hardState: HardState;
  readonly snapshot: SnapshotRef | undefined;
}

/** A LogWrite with its variable-length fields encoded once, when it is accepted. */
export interface PreparedBatch {
  readonly batch: LogWrite;
  /** Payload bytes of its record. */
  readonly length: number;
  /** The hard state's vote and store identity, encoded. */
  readonly vote: HardStateText | undefined;
  readonly installMeta: Uint8Array | undefined;
  readonly saveMeta: Uint8Array | undefined;
}

const INSTALL = 1;
const ENTRIES = 2;
const HARD_STATE = 4;
const SAVE = 8;
const COMPACT = 16;
const WRITTEN = 1;
const HAS_SNAPSHOT = 2;

const entryTypes: readonly EntryType[] = ['normal', 'noop', 'config'];
const entryTypeCode = (type: EntryType): number => (type === 'normal' ? 0 : type === 'noop' ? 1 : 2);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const metaBytes = (meta: SnapshotMeta): Uint8Array => encoder.encode(JSON.stringify(meta));
const refBytes = (meta: Uint8Array): number => 24 + meta.length;
/** A hard state's text fields: the vote, and the store identity (empty when there is none). */
interface HardStateText {
  readonly vote: Uint8Array;
  readonly store: Uint8Array;
}
const hardStateText = (hs: HardState): HardStateText => ({ vote: encoder.encode(hs.vote), store: encoder.encode(hs.store ?? '') });
const hardStateBytes = (text: HardStateText): number => 24 + text.vote.length + text.store.length;

export function prepareBatch(batch: LogWrite): PreparedBatch {
  let length = 1;
  const installMeta = batch.installSnapshot && metaBytes(batch.installSnapshot.meta);
  const saveMeta = batch.saveSnapshot && metaBytes(batch.saveSnapshot.meta);
  const vote = batch.hardState && hardStateText(batch.hardState);
  if (installMeta) length += refBytes(installMeta);
  const entries = batch.entries;
  if (entries !== undefined && entries.length > 0) {
    length += 12 + 13 * entries.length;
    for (let i = 0; i < entries.length; i++) length += entries[i]!.data.length;
  }
  if (vote) length += hardStateBytes(vote);
  if (saveMeta) length += refBytes(saveMeta);
  if (batch.compactTo !== undefined) length += 8;
  return { batch, length, vote, installMeta, saveMeta };
}

/** Writes the payload of `p` at `at`; `install` and `save` are the files its snapshots went to. */
export function encodeBatch(out: Uint8Array, view: DataView, at: number, p: PreparedBatch, install: SnapshotRef | undefined, save: SnapshotRef | undefined): void {
  const { batch } = p;
  const entries = batch.entries !== undefined && batch.entries.length > 0 ? batch.entries : undefined;
  const flags = (install ? INSTALL : 0) | (entries ? ENTRIES : 0) | (p.vote ? HARD_STATE : 0) | (save ? SAVE : 0) | (batch.compactTo !== undefined ? COMPACT : 0);
  out[at++] = flags;
  if (install) at = encodeRef(out, view, at, install, p.installMeta!);
  if (entries) {
    writeU64(view, at, entries[0]!.index);
    view.setUint32(at + 8, entries.length, true);
    at += 12;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      writeU64(view, at, e.term);
      out[at + 8] = entryTypeCode(e.type);
      view.setUint32(at + 9, e.data.length, true);
      out.set(e.data, at + 13);
      at += 13 + e.data.length;
    }
  }
  if (p.vote) at = encodeHardState(out, view, at, batch.hardState!, p.vote);
  if (save) at = encodeRef(out, view, at, save, p.saveMeta!);
  if (batch.compactTo !== undefined) writeU64(view, at, batch.compactTo);
}

export function checkpointBytes(c: Checkpoint): { readonly length: number; encode(out: Uint8Array, view: DataView, at: number): void } {
  const vote = hardStateText(c.hardState);
  const meta = c.snapshot && metaBytes(c.snapshot.meta);
  return {
    length: 17 + hardStateBytes(vote) + (meta ? refBytes(meta) : 0),
    encode(out, view, at) {
      out[at] = (c.written ? WRITTEN : 0) | (c.snapshot ? HAS_SNAPSHOT : 0);
      writeU64(view, at + 1, c.floor);
      writeU64(view, at + 9, c.lastIndex);
      at = encodeHardState(out, view, at + 17, c.hardState, vote);
      if (c.snapshot) encodeRef(out, view, at, c.snapshot, meta!);
    },
  };
}

function encodeHardState(out: Uint8Array, view: DataView, at: number, hs: HardState, text: HardStateText): number {
  writeU64(view, at, hs.term);
  writeU64(view, at + 8, hs.commit);
  view.setUint32(at + 16, text.vote.length, true);
  out.set(text.vote, at + 20);
  at += 20 + text.vote.length;
  view.setUint32(at, text.store.length, true);
  out.set(text.store, at + 4);
  return at + 4 + text.store.length;
}

function encodeRef(out: Uint8Array, view: DataView, at: number, ref: SnapshotRef, meta: Uint8Array): number {
  writeU64(view, at, ref.seq);
  writeU64(view, at + 8, ref.dataLength);
  view.setUint32(at + 16, ref.crc, true);
  view.setUint32(at + 20, meta.length, true);
  out.set(meta, at + 24);
  return at + 24 + meta.length;
}

/** A decoded batch record: a LogWrite whose snapshots are references to files. */
export interface BatchRecord {
  readonly install: SnapshotRef | undefined;
  readonly entries: Entry[] | undefined;
  readonly hardState: HardState | undefined;
  readonly save: SnapshotRef | undefined;
  readonly compactTo: number | undefined;
}

/** Reads one payload; anything malformed is a CorruptLogError naming the file and byte. */
export class PayloadReader {
  readonly #view: DataView;
  #at: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    start: number,
    private readonly end: number,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.#at = start;
  }

  batch(): BatchRecord {
    const flags = this.#u8();
    if (flags & ~(INSTALL | ENTRIES | HARD_STATE | SAVE | COMPACT)) this.#fail(`unknown batch flags ${flags}`);
    const install = flags & INSTALL ? this.#ref() : undefined;
    const entries = flags & ENTRIES ? this.#entries() : undefined;
    const hardState = flags & HARD_STATE ? this.#hardState() : undefined;
    const save = flags & SAVE ? this.#ref() : undefined;
    const compactTo = flags & COMPACT ? this.#u64() : undefined;
    this.#done();
    return { install, entries, hardState, save, compactTo };
  }

  checkpoint(): Checkpoint {
    const flags = this.#u8();
    if (flags & ~(WRITTEN | HAS_SNAPSHOT)) this.#fail(`unknown checkpoint flags ${flags}`);
    const floor = this.#u64();
    const lastIndex = this.#u64();
    const hardState = this.#hardState();
    const snapshot = flags & HAS_SNAPSHOT ? this.#ref() : undefined;
    this.#done();
    if (lastIndex < floor) this.#fail(`checkpoint lastIndex ${lastIndex} below floor ${floor}`);
    return { written: (flags & WRITTEN) !== 0, floor, lastIndex, hardState, snapshot };
  }

  #entries(): Entry[] {
    const first = this.#u64();
    const count = this.#u32();
    if (first === 0 || count === 0) this.#fail(`entries record starting at ${first} with ${count} entries`);
    const out: Entry[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const term = this.#u64();
      const type = entryTypes[this.#u8()] ?? this.#fail('unknown entry type');
      const length = this.#u32();
      out[i] = { index: first + i, term, type, data: this.#take(length) };
    }
    return out;
  }

  #hardState(): HardState {
    const term = this.#u64();
    const commit = this.#u64();
    const vote = this.#text(this.#u32());
    const store = this.#text(this.#u32());
    return store === '' ? { term, vote, commit } : { term, vote, commit, store };
  }

  #ref(): SnapshotRef {
    const seq = this.#u64();
    const dataLength = this.#u64();
    const crc = this.#u32();
    const text = this.#text(this.#u32());
    let meta: unknown;
    try {
      meta = JSON.parse(text);
    } catch {
      this.#fail('snapshot metadata is not JSON');
    }
    if (!isMeta(meta)) this.#fail('malformed snapshot metadata');
    return { seq, meta, dataLength, crc };
  }

  #text(length: number): string {
    const at = this.#at;
    try {
      return decoder.decode(this.#take(length));
    } catch {
      return this.#fail('text is not UTF-8', at);
    }
  }

  #take(length: number): Uint8Array {
    if (this.#at + length > this.end) this.#fail(`field of ${length} bytes runs past the record`);
    const out = this.bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return out;
  }

  #u8(): number {
    return this.#take(1)[0]!;
  }

  #u32(): number {
    const at = this.#at;
    this.#take(4);
    return this.#view.getUint32(at, true);
  }

  #u64(): number {
    const at = this.#at;
    this.#take(8);
    return readU64(this.#view, at) ?? this.#fail('integer beyond 2^53', at);
  }

  #done(): void {
    if (this.#at !== this.end) this.#fail(`${this.end - this.#at} bytes left over in the record`);
  }

  #fail(detail: string, at = this.#at): never {
    throw new CorruptLogError(this.file, at, detail);
  }
}

function isMeta(value: unknown): value is SnapshotMeta {
  const m = value as Partial<SnapshotMeta> | null;
  const ids = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  return (
    typeof m === 'object' && m !== null &&
    Number.isSafeInteger(m.index) && (m.index as number) >= 0 &&
    Number.isSafeInteger(m.term) && (m.term as number) >= 0 &&
    typeof m.conf === 'object' && m.conf !== null &&
    ids(m.conf.voters) && ids(m.conf.learners) && ids(m.conf.votersOutgoing) && ids(m.conf.learnersNext) &&
    typeof m.conf.autoLeave === 'boolean'
  );
}

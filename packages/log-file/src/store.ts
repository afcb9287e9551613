import {
  checkLogWrite,
  emptyLogBounds,
  type Entry,
  InvalidLogWriteError,
  type LogBounds,
  type LogStore,
  type LogStoreError,
  type LogWrite,
  type StoredState,
} from '@webraft/core';
import { type PreparedBatch, prepareBatch } from './codec.ts';
import { StoreClosedError, StoreFailedError, writeError } from './errors.ts';
import { type LogFileSystem, nodeFileSystem } from './file-system.ts';
import { LOCK_FILE, snapshotFile } from './format.ts';
import { acquireLock, type DirectoryLock, processLockHost } from './lock.ts';
import type { FileLogStoreOptions } from './options.ts';
import { readLog, type ReadLog, type TornTail } from './replay.ts';
import { ignoreMissing, readSnapshotFile } from './snapshot-file.ts';
import { SegmentWriter } from './writer.ts';

/** What `load()` found and repaired. */
export interface RecoveryReport {
  /** Segment files read. */
  readonly segments: number;
  /** Torn tails cut: the unfinished last write of a crash, never acknowledged. */
  readonly tornTails: readonly TornTail[];
  /** Leftovers of a crash removed: temporary files and snapshot files no record refers to. */
  readonly removedFiles: readonly string[];
}

interface PendingWrite {
  readonly prepared: PreparedBatch;
  readonly after: LogBounds;
  resolve(): void;
  reject(error: unknown): void;
}

type State = 'new' | 'loading' | 'open' | 'closing' | 'closed';

/** At most this much is gathered into one write and one sync; a single larger batch goes alone. */
const GROUP_BYTES = 64 * 1024 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

/** Creates a durable Raft log in a directory; nothing happens until `load()`. */
export function fileLogStore(options: FileLogStoreOptions): FileLogStore {
  return new FileLogStore(options);
}

/**
 * A LogStore in append-only segment files. Writes issued while a sync is running are gathered
 * into the next one (group commit): one write and one fdatasync for the whole group, after
 * which every write it carries resolves. See the README for the format and what a crash leaves.
 */
export class FileLogStore implements LogStore {
  readonly dir: string;
  readonly #fs: LogFileSystem;
  readonly #options: FileLogStoreOptions;
  #state: State = 'new';
  #failure: LogStoreError | undefined;
  #lock: DirectoryLock | undefined;
  #writer: SegmentWriter | undefined;
  /** Bounds of the log once every accepted write lands. */
  #bounds: LogBounds = emptyLogBounds;
  #queue: PendingWrite[] = [];
  #flushing = false;
  #inFlight = 0;
  /** Settles once every write accepted so far has settled. */
  #tail: Promise<void> = Promise.resolve();
  /** Serialises flushes with reads of the files, which must not see a segment being deleted. */
  #io: Promise<void> = Promise.resolve();
  #loading: Promise<StoredState> | undefined;
  #recovery: RecoveryReport | undefined;

  constructor(options: FileLogStoreOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '') throw new TypeError('fileLogStore: dir is required');
    const segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 4096) throw new RangeError('segmentBytes must be an integer of at least 4096');
    this.dir = options.dir.length > 1 ? options.dir.replace(/\/+$/, '') : options.dir;
    this.#fs = options.fileSystem ?? nodeFileSystem();
    this.#options = { ...options, segmentBytes };
  }

  /** What the first `load()` found and repaired; undefined before it. */
  get recovery(): RecoveryReport | undefined {
    return this.#recovery;
  }

  /** Writes accepted and not yet durable. */
  get pendingWrites(): number {
    return this.#queue.length + this.#inFlight;
  }

  async load(): Promise<StoredState> {
    if (this.#state === 'open') {
      await this.#tail;
      return this.#exclusive(async () => this.#stored(await readLog(this.#fs, this.dir, false)));
    }
    if (this.#state !== 'new') throw this.#refusal();
    this.#state = 'loading';
    this.#loading = this.#open();
    try {
      const stored = await this.#loading;
      this.#state = 'open';
      return stored;
    } catch (error) {
      this.#state = 'closed';
      await this.#writer?.close().catch(() => undefined);
      await this.#lock?.release().catch(() => undefined);
      throw error;
    }
  }

  write(batch: LogWrite): Promise<void> {
    if (this.#state !== 'open' || this.#failure) return Promise.reject(this.#refusal());
    let after: LogBounds;
    let prepared: PreparedBatch;
    try {
      after = checkLogWrite(this.#bounds, batch);
      prepared = prepareBatch(batch);
      if (prepared.length > MAX_RECORD_BYTES) throw new InvalidLogWriteError(`a batch of ${prepared.length} bytes is over the ${MAX_RECORD_BYTES}-byte record limit`);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#bounds = after;
    const done = new Promise<void>((resolve, reject) => this.#queue.push({ prepared, after, resolve, reject }));
    this.#tail = done.then(noop, noop);
    if (!this.#flushing) {
      this.#flushing = true;
      // Writes issued in the same task join this group.
      queueMicrotask(() => void this.#flushLoop());
    }
    return done;
  }

  async entries(from: number, to: number): Promise<Entry[]> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new RangeError('entries(from, to) takes integers');
    if (this.#state !== 'open') throw this.#refusal();
    await this.#tail;
    const read = await this.#exclusive(() => readLog(this.#fs, this.dir, false));
    return read.entries.filter((e) => e.index >= from && e.index < to);
  }

  /** Lets every accepted write finish, then closes the files and gives up the directory. */
  async close(): Promise<void> {
    if (this.#state === 'loading') await this.#loading?.catch(noop);
    if (this.#state === 'new') this.#state = 'closed';
    if (this.#state === 'closed' || this.#state === 'closing') {
      await this.#tail;
      return;
    }
    this.#state = 'closing';
    await this.#tail;
    await this.#exclusive(async () => {
      await this.#writer?.close().catch(() => undefined);
      await this.#lock?.release();
    });
    this.#state = 'closed';
  }

  async #open(): Promise<StoredState> {
    const fs = this.#fs;
    if (await fs.makeDirectory(this.dir)) await fs.syncDirectory(parentOf(this.dir));
    this.#lock = await acquireLock(fs, this.dir, this.#options.lockHost ?? processLockHost());
    const read = await readLog(fs, this.dir, true);
    const removedFiles = await this.#removeLeftovers(read);
    this.#writer = await SegmentWriter.resume(fs, this.dir, this.#options.segmentBytes!, read);
    this.#bounds = read.state.bounds;
    this.#recovery = { segments: read.segments.length, tornTails: read.torn, removedFiles };
    return this.#stored(read);
  }

  /** Temporary files and snapshot files no record refers to: what a crash between two steps leaves. */
  async #removeLeftovers(read: ReadLog): Promise<string[]> {
    const referenced = read.state.snapshot?.seq;
    const names = [
      ...read.temporaryFiles.filter((name) => !name.startsWith(`${LOCK_FILE}.`)),
      ...read.snapshotFiles.filter((seq) => seq !== referenced).map(snapshotFile),
    ];
    for (const name of names) await this.#fs.remove(`${this.dir}/${name}`).catch(ignoreMissing);
    return names;
  }

  async #stored(read: ReadLog): Promise<StoredState> {
    const { state } = read;
    const after = state.bounds.snapshotIndex;
    const base = { hardState: state.hardState, entries: read.entries.filter((e) => e.index > after), empty: !state.written };
    if (state.snapshot === undefined) return base;
    return { ...base, snapshot: await readSnapshotFile(this.#fs, this.dir, state.snapshot) };
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#takeGroup();
      this.#inFlight = group.length;
      await this.#exclusive(() => this.#flush(group));
      this.#inFlight = 0;
    }
    this.#flushing = false;
  }

  #takeGroup(): PendingWrite[] {
    let bytes = 0;
    let n = 0;
    while (n < this.#queue.length && (n === 0 || bytes + this.#queue[n]!.prepared.length <= GROUP_BYTES)) bytes += this.#queue[n++]!.prepared.length;
    return this.#queue.splice(0, n);
  }

  async #flush(group: PendingWrite[]): Promise<void> {
    if (this.#failure) {
      for (const w of group) w.reject(this.#refusal());
      return;
    }
    const writer = this.#writer!;
    try {
      await writer.append(group.map((w) => ({ prepared: w.prepared, after: w.after })));
    } catch (cause) {
      const error = writeError(this.dir, cause);
      this.#failure = error;
      for (const w of group) w.reject(error);
      const queued = this.#queue.splice(0);
      for (const w of queued) w.reject(this.#refusal());
      return;
    }
    // The space a compaction frees comes back before its write resolves. A failure here loses
    // nothing (the files are merely still there) and is retried after the next write.
    await writer.dropUnneeded().catch(noop);
    for (const w of group) w.resolve();
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#io.then(task);
    this.#io = run.then(noop, noop);
    return run;
  }

  #refusal(): LogStoreError {
    if (this.#failure && this.#state === 'open') return new StoreFailedError(this.dir, this.#failure);
    return new StoreClosedError(this.dir);
  }
}

function parentOf(dir: string): string {
  const at = dir.lastIndexOf('/');
  return at > 0 ? dir.slice(0, at) : at === 0 ? '/' : '.';
}

function noop(): void {}

/**
 * The LogStore of `@webraft/core` on a Durable Object's storage. Every write is checked
 * against the LogStore rules first (a refused one changes nothing), then lands in one storage
 * transaction with the writes queued beside it (group commit), in call order; `write` resolves
 * once the transaction committed and the storage synced it. A failed transaction stores
 * nothing and fails the store: every later write is refused until it is opened again, so no
 * write can land after a lost one.
 */
import { checkLogWrite, InvalidLogWriteError, LogStoreClosedError, LogStoreError, type Entry, type LogBounds, type LogStore, type LogWrite, type Snapshot, type StoredState } from '@webraft/core';
import { CorruptRecordError, readFailure, StoreFailedError, StoreInUseError, storageFailure } from './errors.ts';
import { resolveOptions, type DurableObjectLogStoreOptions } from './options.ts';
import { copyState, planWrite, remove, type Change, type StoreState } from './plan.ts';
import { keysFor, readEntries, readMeta, type Keys, type MetaRecord } from './records.ts';
import { maxKeysPerCall, type DurableObjectStorageLike } from './storage.ts';

/** Writes one transaction takes at most, and the entry bytes past which it takes no more. */
const maxGroupWrites = 64;
const maxGroupBytes = 4 * 1024 * 1024;
/** Keys one `list` call reads (a long log is read in pages). */
const listPage = 1000;

/** Prefixes of the stores open on each storage in this isolate: one store per prefix. */
const openPrefixes = new WeakMap<DurableObjectStorageLike, Set<string>>();

interface PendingWrite {
  readonly batch: LogWrite;
  resolve(): void;
  reject(error: unknown): void;
}

/** A log in `storage` (a Durable Object's `state.storage`) under `options.prefix`. */
export function durableObjectLogStore(storage: DurableObjectStorageLike, options: DurableObjectLogStoreOptions = {}): DurableObjectLogStore {
  return new DurableObjectLogStore(storage, options);
}

export class DurableObjectLogStore implements LogStore {
  readonly #storage: DurableObjectStorageLike;
  readonly #keys: Keys;
  readonly #chunkBytes: number;
  /** The first read; every operation waits for it. */
  #opened: Promise<StoredState> | undefined;
  #claimed = false;
  /** What storage holds (the last committed transaction). */
  #state: StoreState | undefined;
  /** The log's bounds after every accepted write, queued ones included: the next write is checked against them. */
  #bounds: LogBounds = { floor: 0, lastIndex: 0, snapshotIndex: 0 };
  readonly #queue: PendingWrite[] = [];
  #writing: Promise<void> | undefined;
  /** Reads in progress (each settles, never rejects); no transaction starts while one runs. */
  readonly #reads = new Set<Promise<void>>();
  #failure: StoreFailedError | undefined;
  #closed = false;

  constructor(storage: DurableObjectStorageLike, options: DurableObjectLogStoreOptions = {}) {
    const { prefix, chunkBytes } = resolveOptions(options);
    this.#storage = storage;
    this.#keys = keysFor(prefix);
    this.#chunkBytes = chunkBytes;
  }

  async load(): Promise<StoredState> {
    if (this.#closed) throw new LogStoreClosedError();
    if (this.#opened === undefined) return this.#open();
    await this.#opened;
    return (await this.#between(() => this.#read())).stored;
  }

  write(batch: LogWrite): Promise<void> {
    if (this.#closed) return Promise.reject(new LogStoreClosedError());
    // Chained on one promise, so writes are checked and queued in call order.
    return this.#open().then(() => this.#enqueue(batch));
  }

  async entries(from: number, to: number): Promise<Entry[]> {
    if (this.#closed) throw new LogStoreClosedError();
    await this.#open();
    return this.#between(async () => {
      const { floor, lastIndex } = this.#state!.meta;
      const start = Math.max(from, floor + 1);
      const end = Math.min(to, lastIndex + 1);
      return start < end ? readEntries(this.#keys, await this.#list(start, end), start) : [];
    });
  }

  /** Writes not started are refused; one in flight is waited for (it lands whole, or not at all). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.reject(new LogStoreClosedError());
    await this.#idle();
    if (this.#claimed) openPrefixes.get(this.#storage)?.delete(this.#keys.prefix);
    this.#claimed = false;
  }

  #open(): Promise<StoredState> {
    this.#opened ??= (async () => {
      const prefixes = openPrefixes.get(this.#storage) ?? new Set<string>();
      if (prefixes.has(this.#keys.prefix)) throw new StoreInUseError(this.#keys.prefix);
      prefixes.add(this.#keys.prefix);
      openPrefixes.set(this.#storage, prefixes);
      this.#claimed = true;
      try {
        const { state, stored } = await this.#read();
        this.#state = state;
        this.#bounds = { floor: state.meta.floor, lastIndex: state.meta.lastIndex, snapshotIndex: state.meta.snapshot?.meta.index ?? 0 };
        return stored;
      } catch (error) {
        prefixes.delete(this.#keys.prefix);
        this.#claimed = false;
        throw readFailure(error);
      }
    })();
    return this.#opened;
  }

  #enqueue(batch: LogWrite): Promise<void> {
    if (this.#closed) throw new LogStoreClosedError();
    if (this.#failure !== undefined) throw this.#failure;
    this.#bounds = checkBatch(this.#bounds, batch);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ batch, resolve, reject });
      this.#writing ??= this.#drain().finally(() => (this.#writing = undefined));
    });
  }

  async #idle(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  /**
   * Runs `read` between transactions: once none is in flight, and holding back the next until
   * it is done, so a read that takes several storage calls (pages of a long log) sees one
   * version of the log, the one `#state` describes.
   */
  async #between<T>(read: () => Promise<T>): Promise<T> {
    // Checked again after each wait, and `read` starts in the same turn as the last check.
    while (this.#writing !== undefined) await this.#writing;
    const running = read();
    const done = running.then(
      () => undefined,
      () => undefined,
    );
    this.#reads.add(done);
    try {
      return await running;
    } catch (error) {
      throw readFailure(error);
    } finally {
      this.#reads.delete(done);
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      if (this.#reads.size > 0) {
        await Promise.all(this.#reads);
        continue;
      }
      const group = this.#takeGroup();
      const next = copyState(this.#state!);
      try {
        const changes = new Map<string, Change>();
        for (const { batch } of group) planWrite(next, batch, this.#keys, this.#chunkBytes, changes);
        await this.#commit(changes);
      } catch (error) {
        const failure = storageFailure(error);
        this.#failure = new StoreFailedError(failure);
        for (const pending of group) pending.reject(failure);
        for (const pending of this.#queue.splice(0)) pending.reject(this.#failure);
        return;
      }
      this.#state = next;
      for (const pending of group) pending.resolve();
    }
  }

  #takeGroup(): PendingWrite[] {
    let bytes = 0;
    let count = 0;
    while (count < this.#queue.length && count < maxGroupWrites && (count === 0 || bytes < maxGroupBytes)) {
      const batch = this.#queue[count]!.batch;
      for (const entry of batch.entries ?? []) bytes += entry.data.length;
      bytes += (batch.installSnapshot?.data.length ?? 0) + (batch.saveSnapshot?.data.length ?? 0);
      count++;
    }
    return this.#queue.splice(0, count);
  }

  async #commit(changes: Map<string, Change>): Promise<void> {
    const puts: [string, unknown][] = [];
    const deletes: string[] = [];
    for (const [key, change] of changes) {
      if (change === remove) deletes.push(key);
      else puts.push([key, change]);
    }
    await this.#storage.transaction(async (txn) => {
      for (let i = 0; i < deletes.length; i += maxKeysPerCall) await txn.delete(deletes.slice(i, i + maxKeysPerCall));
      for (let i = 0; i < puts.length; i += maxKeysPerCall) await txn.put(Object.fromEntries(puts.slice(i, i + maxKeysPerCall)));
    });
    await this.#storage.sync?.();
  }

  /** Everything stored, checked. */
  async #read(): Promise<{ state: StoreState; stored: StoredState }> {
    const keys = this.#keys;
    const meta = readMeta(keys.meta, (await this.#storage.get([keys.meta])).get(keys.meta));
    if (meta === undefined) {
      const stray = await this.#storage.list({ prefix: keys.prefix, limit: 1 });
      if (stray.size > 0) throw new CorruptRecordError([...stray.keys()][0]!, 'a key of the log without its meta record');
      const empty: MetaRecord = { version: 1, hardState: { term: 0, vote: '', commit: 0 }, floor: 0, lastIndex: 0 };
      return { state: { meta: empty, chunked: new Map() }, stored: { hardState: empty.hardState, entries: [], empty: true } };
    }
    const chunked = new Map<number, number>();
    const entries = meta.lastIndex > meta.floor ? readEntries(keys, await this.#list(meta.floor + 1, meta.lastIndex + 1), meta.floor + 1, chunked) : [];
    if (entries.length !== meta.lastIndex - meta.floor) {
      throw new CorruptRecordError(keys.entry(meta.floor + entries.length + 1), `missing: the log runs from ${meta.floor + 1} to ${meta.lastIndex}`);
    }
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.term < entries[i - 1]!.term) throw new CorruptRecordError(keys.entry(entries[i]!.index), 'term lower than the entry before');
    }
    const snapshot = meta.snapshot === undefined ? undefined : await this.#readSnapshot(meta);
    const snapshotIndex = snapshot?.meta.index ?? 0;
    return {
      state: { meta, chunked },
      stored: { hardState: meta.hardState, entries: entries.filter((e) => e.index > snapshotIndex), empty: false, ...(snapshot !== undefined && { snapshot }) },
    };
  }

  async #readSnapshot(meta: MetaRecord): Promise<Snapshot> {
    const { meta: snapshotMeta, bytes, chunks } = meta.snapshot!;
    const data = new Uint8Array(bytes);
    let at = 0;
    for (let first = 0; first < chunks; first += maxKeysPerCall) {
      const names = Array.from({ length: Math.min(maxKeysPerCall, chunks - first) }, (_, i) => this.#keys.snapshotChunk(first + i));
      const values = await this.#storage.get(names);
      for (const name of names) {
        const chunk = values.get(name);
        if (!(chunk instanceof Uint8Array) || at + chunk.length > bytes) throw new CorruptRecordError(name, 'snapshot chunk missing or too long');
        data.set(chunk, at);
        at += chunk.length;
      }
    }
    if (at !== bytes) throw new CorruptRecordError(this.#keys.meta, `snapshot chunks hold ${at} of ${bytes} bytes`);
    return { meta: snapshotMeta, data };
  }

  /** The values of the entries in [from, to) and their chunks, in key order. */
  async #list(from: number, to: number): Promise<Map<string, unknown>> {
    const all = new Map<string, unknown>();
    const end = this.#keys.entry(to);
    let start = this.#keys.entry(from);
    for (;;) {
      const page = await this.#storage.list({ start, end, limit: listPage });
      let last: string | undefined;
      for (const [key, value] of page) {
        all.set(key, value);
        last = key;
      }
      if (page.size < listPage || last === undefined) return all;
      start = `${last}\u0000`;
    }
  }
}

/**
 * `checkLogWrite`, with a typed error for a batch too malformed for it to read (not an object,
 * a null entry or hard state): a caller's bug, refused like any other invalid batch.
 */
function checkBatch(bounds: LogBounds, batch: LogWrite): LogBounds {
  if (typeof batch !== 'object' || batch === null) throw new InvalidLogWriteError(`a LogWrite must be an object, got ${batch === null ? 'null' : typeof batch}`);
  try {
    return checkLogWrite(bounds, batch);
  } catch (error) {
    if (error instanceof LogStoreError) throw error;
    throw new InvalidLogWriteError(`malformed LogWrite: ${error instanceof Error ? error.message : String(error)}`);
  }
}

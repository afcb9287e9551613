import {
  emptyHardState,
  type Entry,
  type LogBounds,
  LogStoreError,
  type LogStore,
  type LogWrite,
  type StoredState,
} from '@webraft/core';
import { type IDBPDatabase, unwrap } from 'idb';
import { applyOps } from './apply.ts';
import { openDatabase } from './database.ts';
import {
  type CloseReason,
  CorruptRecordError,
  StorageQuotaError,
  StoreBlockedError,
  StoreClosedError,
  StoreErrorEvent,
  StoreFailedError,
  TransactionAbortedError,
} from './errors.ts';
import { checkIdentity } from './identity-check.ts';
import { localStorageWipeMarker, type WipeMarker } from './identity.ts';
import { acquireOwnership, LocksUnavailableError, type Release } from './lock.ts';
import type { IndexedDBLogStoreOptions } from './options.ts';
import { planWrite, type WriteOp } from './plan.ts';
import { assembleRuns, type DatabaseContents, readContents } from './read.ts';
import { type IdentityRecord, OBJECT_STORES, RUNS } from './records.ts';
import { type RunIndex, runContaining } from './runs.ts';

interface PendingWrite {
  readonly ops: readonly WriteOp[];
  resolve(): void;
  reject(error: unknown): void;
}

type State = 'new' | 'loading' | 'open' | 'closing' | 'closed';

/** Creates a durable Raft log in IndexedDB; nothing happens until `load()`. */
export function indexedDBLogStore(options: IndexedDBLogStoreOptions): IndexedDBLogStore {
  return new IndexedDBLogStore(options);
}

/**
 * A LogStore on IndexedDB. Writes issued while a transaction is running are gathered into
 * the next one (group commit): each transaction uses `durability: 'strict'`, so it is
 * flushed to disk before it completes, and every write it carries resolves only then.
 * Emits `error` events ({@link StoreErrorEvent}) for failures that end the store's use.
 */
export class IndexedDBLogStore extends EventTarget implements LogStore {
  readonly name: string;
  /** The identity record, once `load()` has resolved. */
  identity: IdentityRecord | undefined;
  /** What `navigator.storage.persist()` answered, when the `persist` option asked. */
  persisted: boolean | undefined;

  readonly #options: IndexedDBLogStoreOptions;
  readonly #chunkBytes: number;
  #state: State = 'new';
  #closeReason: CloseReason = 'closed';
  /** The first error that made the store refuse writes. */
  #failure: LogStoreError | undefined;
  #db: IDBPDatabase | undefined;
  #release: Release | undefined;
  /** Bounds of the log once every accepted write lands. */
  #bounds: LogBounds = { floor: 0, lastIndex: 0, snapshotIndex: 0 };
  #written = false;
  /** The stored runs as of the last transaction issued. */
  #runs: RunIndex = { keys: [], last: 0 };
  #queue: PendingWrite[] = [];
  /** Writes carried by the running transaction (0: none is running). */
  #inFlight = 0;
  #flushScheduled = false;
  /** Settles once every write accepted so far has settled. */
  #tail: Promise<void> = Promise.resolve();
  #loading: Promise<StoredState> | undefined;

  constructor(options: IndexedDBLogStoreOptions) {
    super();
    if (typeof options?.name !== 'string' || options.name === '') throw new TypeError('indexedDBLogStore: name is required');
    const chunkBytes = options.snapshotChunkBytes ?? 1024 * 1024;
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new RangeError('snapshotChunkBytes must be a positive integer');
    this.name = options.name;
    this.#options = options;
    this.#chunkBytes = chunkBytes;
  }

  /** Writes accepted and not yet durable. */
  get pendingWrites(): number {
    return this.#queue.length + this.#inFlight;
  }

  async load(): Promise<StoredState> {
    if (this.#state === 'open') return this.#reload();
    if (this.#state !== 'new') throw this.#refusal() ?? new StoreClosedError(this.name, 'closed');
    this.#state = 'loading';
    this.#loading = this.#open();
    try {
      return await this.#loading;
    } catch (error) {
      // Lost the connection while loading: that error was already reported.
      const lost = (this.#state as State) === 'closed';
      this.#state = 'closed';
      this.#db?.close();
      this.#db = undefined;
      this.#release?.();
      if (lost) throw new StoreClosedError(this.name, this.#closeReason);
      if (error instanceof LogStoreError) this.#emit(error);
      throw error;
    }
  }

  write(batch: LogWrite): Promise<void> {
    const refusal = this.#refusal();
    if (refusal) return Promise.reject(refusal);
    let ops: WriteOp[];
    try {
      const plan = planWrite(this.#bounds, batch);
      ops = plan.ops;
      this.#bounds = plan.after;
    } catch (error) {
      return Promise.reject(error);
    }
    const done = new Promise<void>((resolve, reject) => this.#queue.push({ ops, resolve, reject }));
    this.#tail = done.then(noop, noop);
    if (this.#inFlight === 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      // Writes issued in the same task join this transaction.
      queueMicrotask(() => this.#flush());
    }
    return done;
  }

  async entries(from: number, to: number): Promise<Entry[]> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new RangeError('entries(from, to) takes integers');
    await this.#tail;
    const db = this.#connection();
    const floor = this.#bounds.floor;
    const low = Math.max(from, floor + 1);
    const high = to - 1;
    const { keys } = this.#runs;
    if (high < low || keys.length === 0) return [];
    // The run holding `low` and every later one up to `high`; earlier runs are overridden there.
    const startKey = keys[Math.max(0, runContaining(keys, low))]!;
    if (startKey > high) return [];
    const tx = db.transaction(RUNS, 'readonly');
    const range = IDBKeyRange.bound(startKey, high);
    const [runKeys, runs] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range), tx.done]);
    const log = assembleRuns(runKeys, runs, 0, (objectStore, key, detail) => new CorruptRecordError(this.name, objectStore, key, detail));
    return log.filter((e) => e.index >= low && e.index <= high);
  }

  /** Lets every accepted write finish, then closes the database and gives up ownership. */
  async close(): Promise<void> {
    if (this.#state === 'new') this.#state = 'closed';
    if (this.#state === 'closed' || this.#state === 'closing') {
      await this.#tail;
      return;
    }
    if (this.#state === 'loading') {
      await this.#loading?.catch(noop);
      return this.close();
    }
    this.#state = 'closing';
    await this.#tail;
    this.#state = 'closed';
    this.#db?.close();
    this.#db = undefined;
    this.#release?.();
  }

  async #open(): Promise<StoredState> {
    const o = this.#options;
    const locks = o.locks ?? (globalThis.navigator as Navigator | undefined)?.locks;
    if (locks === undefined) throw new LocksUnavailableError(this.name);
    if (locks !== false) this.#release = await acquireOwnership(locks, this.name, o.onLocked ?? 'error', o.signal);
    const factory = o.indexedDB ?? globalThis.indexedDB;
    this.#db = await openDatabase(factory, this.name, {
      blocked: () => this.#emit(new StoreBlockedError(this.name)),
      versionchange: (newVersion) => this.#lose(newVersion === null ? 'deleted' : 'versionchange'),
      terminated: () => this.#lose('terminated'),
    });
    const contents = await readContents(this.#db, this.name);
    const marker: WipeMarker | undefined = o.wipeMarker === false ? undefined : (o.wipeMarker ?? localStorageWipeMarker());
    this.identity = await checkIdentity(this.#db, this.name, contents, {
      nodeId: o.nodeId ?? '',
      clusterId: o.clusterId ?? '',
      expectExisting: o.expectExisting ?? false,
      marker,
    });
    if (o.persist) this.persisted = await requestPersistence();
    if ((this.#state as State) !== 'loading') throw new StoreClosedError(this.name, this.#closeReason);
    this.#state = 'open';
    this.#bounds = contents.bounds;
    this.#runs = contents.runs;
    this.#written = contents.written;
    return stored(contents);
  }

  async #reload(): Promise<StoredState> {
    await this.#tail;
    return stored(await readContents(this.#connection(), this.name));
  }

  #connection(): IDBPDatabase {
    if (this.#db === undefined || this.#state === 'closed') throw new StoreClosedError(this.name, this.#closeReason);
    return this.#db;
  }

  #refusal(): LogStoreError | undefined {
    if (this.#state === 'new' || this.#state === 'loading') return new StoreClosedError(this.name, 'closed');
    if (this.#state === 'closing' || this.#state === 'closed') return new StoreClosedError(this.name, this.#closeReason);
    if (this.#failure) return new StoreFailedError(this.name, this.#failure);
    return undefined;
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#inFlight > 0 || this.#queue.length === 0) return;
    const group = this.#queue;
    this.#queue = [];
    if (this.#failure || this.#db === undefined) {
      const error = this.#refusal() ?? new StoreClosedError(this.name, this.#closeReason);
      for (const w of group) w.reject(error);
      return;
    }
    this.#inFlight = group.length;
    let tx: IDBTransaction | undefined;
    let settled = false;
    const fail = (cause: unknown): void => {
      if (settled) return;
      settled = true;
      this.#inFlight = 0;
      this.#fail(group, cause);
    };
    try {
      tx = unwrap(this.#db).transaction([...OBJECT_STORES], 'readwrite', { durability: 'strict' });
      tx.addEventListener('complete', () => {
        if (settled) return;
        settled = true;
        this.#inFlight = 0;
        this.#written = true;
        for (const w of group) w.resolve();
        this.#flush();
      });
      tx.addEventListener('abort', () => fail(tx?.error));
      const ops = group.length === 1 ? group[0]!.ops : group.flatMap((w) => w.ops);
      applyOps(tx, ops, this.#runs, this.#chunkBytes, !this.#written);
    } catch (error) {
      try {
        tx?.abort();
      } catch {
        // The transaction already finished aborting; `fail` below reports the first cause.
      }
      fail(error);
    }
  }

  /** A transaction failed: none of its writes landed. Reject them and everything queued after. */
  #fail(group: readonly PendingWrite[], cause: unknown): void {
    const error = this.#typed(cause);
    const first = this.#failure === undefined;
    this.#failure ??= error;
    for (const w of group) w.reject(error);
    const queued = this.#queue;
    this.#queue = [];
    const refusal = this.#refusal() ?? error;
    for (const w of queued) w.reject(refusal);
    if (first) this.#emit(error);
  }

  #typed(cause: unknown): LogStoreError {
    if (cause instanceof LogStoreError) return cause;
    if (this.#state === 'closed' && this.#closeReason !== 'closed') return new StoreClosedError(this.name, this.#closeReason);
    if ((cause as { name?: unknown } | null)?.name === 'QuotaExceededError') return new StorageQuotaError(this.name, cause);
    return new TransactionAbortedError(this.name, cause);
  }

  /** The connection was taken away (deleted, upgraded elsewhere, or closed by the browser). */
  #lose(reason: CloseReason): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closeReason = reason;
    const error = new StoreClosedError(this.name, reason);
    // A running transaction still completes (or was already aborted by a forced close).
    this.#db?.close();
    const queued = this.#queue;
    this.#queue = [];
    for (const w of queued) w.reject(error);
    this.#emit(error);
    void this.#tail.then(() => this.#release?.());
  }

  #emit(error: LogStoreError): void {
    this.dispatchEvent(new StoreErrorEvent(error));
    try {
      this.#options.onError?.(error);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

function stored(contents: DatabaseContents): StoredState {
  const after = contents.bounds.snapshotIndex;
  const state = {
    hardState: contents.hardState ?? emptyHardState,
    entries: contents.entries.filter((e) => e.index > after),
    empty: !contents.written,
  };
  return contents.snapshot ? { ...state, snapshot: contents.snapshot } : state;
}

async function requestPersistence(): Promise<boolean> {
  try {
    return (await globalThis.navigator?.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}

function noop(): void {}

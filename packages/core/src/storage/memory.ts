import type { Entry, HardState, Snapshot } from '../raft/types.ts';
import { emptyHardState } from '../raft/types.ts';
import type { LogStore, LogWrite, StoredState } from './log-store.ts';
import { checkLogWrite, emptyLogBounds, type LogBounds } from './check-write.ts';
import { LogStoreClosedError, type LogStoreError } from './errors.ts';

/**
 * What a {@link MemoryLogStore} has made durable. It outlives the store: hand it to a new
 * store to model a restart (`new MemoryLogStore({ data: crashed.data })`).
 */
export interface MemoryLogData {
  hardState: HardState;
  snapshot: Snapshot | undefined;
  /** `entries[i].index === bounds.floor + 1 + i`. Stored by reference: never mutate an entry after writing it. */
  entries: Entry[];
  bounds: LogBounds;
  /** Set by the first successful write. */
  written: boolean;
}

export function createMemoryLogData(): MemoryLogData {
  return { hardState: emptyHardState, snapshot: undefined, entries: [], bounds: emptyLogBounds, written: false };
}

export interface MemoryLogStoreOptions {
  /** Durable state of an earlier store to reopen. @default a fresh, empty log */
  readonly data?: MemoryLogData;
  /**
   * Milliseconds before a write becomes durable, to model a slow disk. With 0 a write is
   * applied before `write` returns.
   * @default 0
   */
  readonly latencyMs?: number;
  /** Timer used for `latencyMs` (inject a virtual clock's). @default globalThis.setTimeout */
  readonly setTimeout?: (callback: () => void, ms: number) => unknown;
  /** Fault injection: return an error to reject this batch with (the store stays unchanged). */
  readonly failWrite?: (batch: LogWrite) => LogStoreError | undefined;
}

/**
 * A LogStore in memory: durable for as long as its {@link MemoryLogData} lives. Writes are
 * validated with {@link checkLogWrite} and applied whole or not at all, in call order.
 */
export class MemoryLogStore implements LogStore {
  readonly data: MemoryLogData;
  readonly #latencyMs: number;
  readonly #setTimeout: (callback: () => void, ms: number) => unknown;
  readonly #failWrite: ((batch: LogWrite) => LogStoreError | undefined) | undefined;
  #closed = false;
  #pending = 0;
  /** Settles when every write issued so far has settled; later writes queue behind it. */
  #tail: Promise<void> = Promise.resolve();
  /** Writes waiting for their latency to pass; a crash rejects them. */
  readonly #waiting = new Set<(error: Error) => void>();
  #crashed = false;

  constructor(options: MemoryLogStoreOptions = {}) {
    this.data = options.data ?? createMemoryLogData();
    this.#latencyMs = options.latencyMs ?? 0;
    this.#setTimeout = options.setTimeout ?? ((callback, ms) => globalThis.setTimeout(callback, ms));
    this.#failWrite = options.failWrite;
  }

  /** Writes issued and not yet durable. */
  get pendingWrites(): number {
    return this.#pending;
  }

  async load(): Promise<StoredState> {
    this.#assertOpen();
    const { hardState, snapshot, entries, written } = this.data;
    const after = snapshot === undefined ? 0 : Math.max(0, snapshot.meta.index - this.data.bounds.floor);
    return snapshot === undefined
      ? { hardState, entries: entries.slice(after), empty: !written }
      : { hardState, snapshot, entries: entries.slice(after), empty: !written };
  }

  write(batch: LogWrite): Promise<void> {
    if (this.#closed) return Promise.reject(new LogStoreClosedError());
    if (this.#latencyMs <= 0 && this.#pending === 0) {
      try {
        this.#apply(batch);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#pending++;
    const settled = this.#tail
      .then(() => this.#durableLater(batch))
      .finally(() => this.#pending--);
    this.#tail = settled.then(noop, noop);
    return settled;
  }

  #durableLater(batch: LogWrite): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#crashed) return reject(crashError());
      this.#waiting.add(reject);
      this.#setTimeout(() => {
        if (!this.#waiting.delete(reject)) return;
        try {
          this.#apply(batch);
          resolve();
        } catch (error) {
          reject(error);
        }
      }, this.#latencyMs);
    });
  }

  async entries(from: number, to: number): Promise<Entry[]> {
    this.#assertOpen();
    const { entries, bounds } = this.data;
    const start = Math.max(0, from - bounds.floor - 1);
    const end = Math.min(entries.length, to - bounds.floor - 1);
    return end > start ? entries.slice(start, end) : [];
  }

  /** Waits for the writes already issued, then refuses everything. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
  }

  /** Models a crash: writes not yet durable are lost (they reject with LogStoreClosedError). */
  crash(): void {
    this.#closed = true;
    this.#crashed = true;
    for (const reject of this.#waiting) reject(crashError());
    this.#waiting.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new LogStoreClosedError();
  }

  #apply(batch: LogWrite): void {
    const injected = this.#failWrite?.(batch);
    if (injected !== undefined) throw injected;
    const data = this.data;
    const after = checkLogWrite(data.bounds, batch);
    // Positions below are relative to `floor`, which only an install moves before the append.
    let floor = data.bounds.floor;
    if (batch.installSnapshot !== undefined) {
      data.snapshot = batch.installSnapshot;
      data.entries = [];
      floor = batch.installSnapshot.meta.index;
    }
    const entries = batch.entries;
    if (entries !== undefined && entries.length > 0) {
      const keep = entries[0]!.index - floor - 1;
      const log = data.entries;
      if (keep < log.length) log.length = keep;
      for (let i = 0; i < entries.length; i++) log.push(entries[i]!);
    }
    if (batch.hardState !== undefined) data.hardState = batch.hardState;
    if (batch.saveSnapshot !== undefined) data.snapshot = batch.saveSnapshot;
    if (after.floor > floor) data.entries.splice(0, Math.min(data.entries.length, after.floor - floor));
    data.bounds = after;
    data.written = true;
  }
}

function noop(): void {}

function crashError(): LogStoreClosedError {
  return new LogStoreClosedError('the log store crashed before the write was durable');
}

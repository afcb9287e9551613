/**
 * Hands LogStore writes out as soon as they are known (the store keeps call order) and runs
 * each write's follow-up only once it and every earlier write are durable, in order, even
 * if a store happened to resolve them out of order. A failed write stops everything: the
 * follow-ups that would acknowledge it never run.
 */
import type { LogStore, LogWrite } from '../storage/log-store.ts';

interface Item {
  done: boolean;
  readonly then: () => void;
}

export class WriteQueue {
  private items: Item[] = [];
  private head = 0;
  private failed = false;
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly log: LogStore,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** Nothing is waiting: a follow-up pushed now without a write would run at once. */
  get empty(): boolean {
    return this.head === this.items.length;
  }

  /**
   * Queues `then` to run after `batch` (if any) and all earlier writes are durable. With no
   * batch and nothing queued, `then` runs synchronously.
   */
  push(batch: LogWrite | undefined, then: () => void): void {
    if (this.failed) return;
    const item: Item = { done: batch === undefined, then };
    this.items.push(item);
    if (batch === undefined) {
      this.drain();
      return;
    }
    this.inFlight++;
    let write: Promise<void>;
    try {
      write = this.log.write(batch);
    } catch (error) {
      write = Promise.reject(error);
    }
    write.then(
      () => {
        this.inFlight--;
        item.done = true;
        this.drain();
        this.notifyIdle();
      },
      (error: unknown) => {
        this.inFlight--;
        this.notifyIdle();
        if (this.failed) return;
        this.failed = true;
        this.onFailure(error);
      },
    );
  }

  /** Resolves once no write is in flight (stop waits for it, so a store is not closed mid-write). */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drops every follow-up not yet run; later pushes are ignored. */
  halt(): void {
    this.failed = true;
    this.items = [];
    this.head = 0;
  }

  private drain(): void {
    while (this.head < this.items.length && !this.failed) {
      const item = this.items[this.head]!;
      if (!item.done) return;
      this.head++;
      item.then();
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private notifyIdle(): void {
    if (this.inFlight !== 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}

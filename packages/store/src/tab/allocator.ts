/**
 * Places the voter slots on the open tabs. A slot is a Raft voter (`s1`…`sN`) with its own
 * IndexedDB log; whichever tab holds the slot's Web Lock runs the slot's node on that log, so
 * a slot moves between tabs with its state and the voters never change: a tab that opens,
 * closes or crashes never needs a membership change for the cluster to stay available.
 *
 * One tab at a time is the allocator (it holds the allocator lock; the others wait for it, so
 * the next one takes over when it goes). The allocator waits on the lock of every slot it does
 * not run: when a tab goes, the browser frees its locks and the allocator takes its slots at
 * once — with their logs. When it runs more than one slot and a tab runs none, it offers one
 * of its extra slots (never the leader's) to that tab, visible tabs first: the tab queues for
 * the slot's lock, checks that it is queued, accepts, and the allocator stops the slot's node
 * and lets the lock go, so the lock's FIFO queue hands it to the taker.
 */
import type { TabDirectory, TabsMessage } from './directory.ts';
import { lockSnapshot, takeLock, type HeldLock, type StoreNames } from './locks.ts';

export interface AllocatorHost {
  readonly tab: string;
  readonly names: StoreNames;
  readonly locks: LockManager;
  readonly slots: number;
  readonly directory: TabDirectory;
  /** The slots this tab runs, and whether each one's node leads. */
  hosted(): ReadonlyMap<number, { readonly leads: boolean }>;
  /** Runs slot `slot`'s node; the lock is this tab's until `release`. */
  host(slot: number, lock: HeldLock): void;
  /** Asks slot `from`'s node, which leads, to hand the leadership to slot `to`'s. */
  moveLeadership(from: number, to: number): void;
  /** Stops slot `slot`'s node and lets its lock go. */
  release(slot: number): Promise<void>;
}

/** How long an offer waits to be accepted. */
const OFFER_TIMEOUT_MS = 3000;
/** How often the allocator looks for tabs to give slots to. */
const REBALANCE_MS = 500;

export class Allocator {
  #lock: HeldLock | undefined;
  readonly #abort = new AbortController();
  /** Slots this tab waits for (the allocator: every slot it does not run; a taker: the offered one). */
  readonly #waiting = new Set<number>();
  #offer: { readonly slot: number; readonly to: string; readonly until: number } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(private readonly host: AllocatorHost) {}

  get active(): boolean {
    return this.#lock !== undefined;
  }

  /**
   * Becomes the allocator at once if no tab is, taking every free slot; otherwise queues for
   * the role. Resolves once the slots free now are taken.
   */
  async start(): Promise<void> {
    const lock = await takeLock(this.host.locks, this.host.names.allocator, { wait: false });
    if (lock !== undefined) {
      await this.#become(lock);
    } else {
      void takeLock(this.host.locks, this.host.names.allocator, { wait: true, signal: this.#abort.signal }).then((next) => {
        if (next !== undefined) void this.#become(next);
      });
    }
    this.#timer = setInterval(() => void this.rebalance(), REBALANCE_MS);
  }

  async #become(lock: HeldLock): Promise<void> {
    if (this.#closed) {
      lock.release();
      return;
    }
    this.#lock = lock;
    const hosted = this.host.hosted();
    for (let slot = 1; slot <= this.host.slots; slot++) {
      if (hosted.has(slot) || this.#waiting.has(slot)) continue;
      const free = await takeLock(this.host.locks, this.host.names.slot(slot), { wait: false });
      if (free !== undefined && !this.#closed) this.host.host(slot, free);
      else if (free !== undefined) free.release();
      else this.#watch(slot);
    }
  }

  /** Waits for slot `slot`'s lock and runs the slot once it is free. */
  #watch(slot: number): void {
    if (this.#closed || this.#waiting.has(slot)) return;
    this.#waiting.add(slot);
    void takeLock(this.host.locks, this.host.names.slot(slot), { wait: true, signal: this.#abort.signal }).then((lock) => {
      this.#waiting.delete(slot);
      if (lock === undefined) return;
      if (this.#closed) lock.release();
      else this.host.host(slot, lock);
    });
  }

  /** Slot `slot` failed to start here and its lock was let go: the allocator waits for it again. */
  retry(slot: number): void {
    if (this.active) this.#watch(slot);
  }

  /** The allocator gives one of its extra slots to a tab that runs none. */
  async rebalance(): Promise<void> {
    if (!this.active || this.#closed) return;
    const now = Date.now();
    if (this.#offer !== undefined && now < this.#offer.until) return;
    this.#offer = undefined;
    const hosted = this.host.hosted();
    if (hosted.size <= 1) return;
    const takers = [...this.host.directory.tabs.values()]
      .filter((tab) => tab.slots.length === 0 && tab.tab !== this.host.tab)
      .sort((a, b) => Number(b.visible) - Number(a.visible));
    const taker = takers[0];
    if (taker === undefined) return;
    // Keep the lowest slot (this tab's own); give the highest other one that does not lead.
    const lowest = Math.min(...hosted.keys());
    const spare = [...hosted].filter(([slot, { leads }]) => slot !== lowest && !leads).map(([slot]) => slot);
    const slot = spare.length === 0 ? undefined : Math.max(...spare);
    if (slot === undefined) {
      // The only extra slot leads: move the leadership to this tab's own slot first, offer next round.
      const leading = [...hosted].find(([other, { leads }]) => other !== lowest && leads);
      if (leading !== undefined) this.host.moveLeadership(leading[0], lowest);
      return;
    }
    this.#offer = { slot, to: taker.tab, until: now + OFFER_TIMEOUT_MS };
    this.host.directory.send({ t: 'offer', from: this.host.tab, to: taker.tab, slot });
  }

  /** An offer to this tab, or an acceptance of this tab's offer. */
  receive(message: Extract<TabsMessage, { t: 'offer' | 'accept' }>): void {
    if (this.#closed) return;
    if (message.t === 'accept') {
      const offer = this.#offer;
      if (offer === undefined || offer.slot !== message.slot || offer.to !== message.from) return;
      this.#offer = undefined;
      void this.host.release(message.slot).then(() => this.#watch(message.slot));
      return;
    }
    if (this.host.hosted().size > 0 || this.#waiting.size > 0) return;
    void this.#take(message.slot, message.from);
  }

  /** Queues for an offered slot, makes sure the queue has it, then accepts. */
  async #take(slot: number, from: string): Promise<void> {
    const name = this.host.names.slot(slot);
    this.#waiting.add(slot);
    const granted = takeLock(this.host.locks, name, { wait: true, signal: this.#abort.signal });
    const { pending } = await lockSnapshot(this.host.locks);
    if ((pending.get(name) ?? 0) > 0 && !this.#closed) this.host.directory.send({ t: 'accept', from: this.host.tab, to: from, slot });
    const lock = await granted;
    this.#waiting.delete(slot);
    if (lock === undefined) return;
    if (this.#closed) lock.release();
    else this.host.host(slot, lock);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#abort.abort();
    this.#lock?.release();
    this.#lock = undefined;
  }
}

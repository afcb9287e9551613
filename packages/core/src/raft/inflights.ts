/**
 * The window of `app` messages in flight to one follower in replicate state, bounded by
 * message count and by bytes of entries, so a slow follower cannot make the leader buffer
 * without limit.
 */
interface Inflight {
  readonly index: number;
  readonly bytes: number;
}

export class Inflights {
  private queue: Inflight[] = [];
  private head = 0;
  private totalBytes = 0;

  /** `maxBytes` 0 means unbounded bytes. */
  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
  ) {}

  get count(): number {
    return this.queue.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Record an `app` whose last entry is `index` carrying `bytes` of entry data. */
  add(index: number, bytes: number): void {
    this.queue.push({ index, bytes });
    this.totalBytes += bytes;
  }

  /** Free every message whose last index is ≤ `index` (acknowledged). */
  freeLE(index: number): void {
    while (this.head < this.queue.length) {
      const first = this.queue[this.head];
      if (first === undefined || first.index > index) break;
      this.totalBytes -= first.bytes;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  freeFirst(): void {
    const first = this.queue[this.head];
    if (first !== undefined) this.freeLE(first.index);
  }

  full(): boolean {
    return this.count >= this.maxCount || (this.maxBytes > 0 && this.totalBytes >= this.maxBytes);
  }

  reset(): void {
    this.queue = [];
    this.head = 0;
    this.totalBytes = 0;
  }
}

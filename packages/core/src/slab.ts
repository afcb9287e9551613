/**
 * Small byte arrays handed out as views of one shared buffer (16 KiB unless told otherwise). V8 keeps a small
 * `new Uint8Array(n)` (or a `slice` of up to 64 bytes) inside the JS heap and, the first time
 * anything takes a view of it, moves it out to a buffer of its own: an allocation, a copy and
 * one more external object for the GC. Entry bytes get such views on every apply (the command
 * inside its envelope), so they come from a slab instead. A slab lives as long as any array in
 * it, about as long as the log keeps entries. Code that keeps or clones such bytes should copy
 * them (log-indexeddb's `ownedBytes` does): a structured clone of a view carries its whole buffer.
 */
export class Slab {
  /** The defaults: slabs of 16 KiB, arrays over 1 KiB in buffers of their own. */
  static readonly SIZE = 16 * 1024;
  static readonly MAX_ITEM = 1024;
  /** Empty until the first `alloc`: importing the code costs no memory. */
  private buffer = new ArrayBuffer(0);
  private capacity = 0;
  private used = 0;

  /** `maxItem`: larger arrays get buffers of their own (they are off the JS heap anyway). */
  constructor(
    private readonly size = Slab.SIZE,
    private readonly maxItem = Slab.MAX_ITEM,
  ) {}

  /** `size` zeroed bytes. */
  alloc(size: number): Uint8Array {
    if (size > this.maxItem) return new Uint8Array(size);
    if (this.used + size > this.capacity) {
      this.buffer = new ArrayBuffer(this.size);
      this.capacity = this.size;
      this.used = 0;
    }
    const out = new Uint8Array(this.buffer, this.used, size);
    this.used += size;
    return out;
  }

  /** A copy of `source[start..end)`. */
  copy(source: Uint8Array, start: number, end: number): Uint8Array {
    const length = end - start;
    const out = this.alloc(length);
    if (length > 64) out.set(source.subarray(start, end));
    else for (let i = 0; i < length; i++) out[i] = source[start + i]!;
    return out;
  }
}

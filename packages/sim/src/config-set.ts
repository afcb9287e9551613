/**
 * The search's memo: a set of configurations, each a short sequence of 32-bit integers. Open
 * addressing over one growing integer pool, so millions of configurations make no strings and
 * no object per entry.
 */
export class ConfigSet {
  /** Per slot: 1 + offset of the key in `pool`, or 0 when empty. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  /** Keys as [length, ...ints]. */
  private pool = new Int32Array(1 << 14);
  private used = 0;
  private count = 0;

  /** Adds `key[0..length)`; false when it was already there. */
  add(key: Int32Array, length: number): boolean {
    let h = 0x9e3779b9 ^ length;
    for (let k = 0; k < length; k++) h = Math.imul(h ^ (key[k] as number), 0x27d4eb2f) + 0x165667b1;
    h ^= h >>> 15;
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] as number;
      if (at === 0) break;
      if (this.hashes[slot] === h && this.equals(at - 1, key, length)) return false;
    }
    if (this.used + length + 1 > this.pool.length) {
      const bigger = new Int32Array(Math.max(this.pool.length * 2, this.used + length + 1));
      bigger.set(this.pool);
      this.pool = bigger;
    }
    const offset = this.used;
    this.pool[offset] = length;
    this.pool.set(key.subarray(0, length), offset + 1);
    this.used += length + 1;
    this.insert(h, offset);
    if (++this.count * 2 > this.slots.length) this.grow();
    return true;
  }

  private equals(offset: number, key: Int32Array, length: number): boolean {
    const pool = this.pool;
    if (pool[offset] !== length) return false;
    for (let k = 0; k < length; k++) if (pool[offset + 1 + k] !== key[k]) return false;
    return true;
  }

  private insert(h: number, offset: number): void {
    const mask = this.slots.length - 1;
    let slot = h & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = offset + 1;
    this.hashes[slot] = h;
  }

  private grow(): void {
    const slots = this.slots;
    const hashes = this.hashes;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    for (let s = 0; s < slots.length; s++) if (slots[s] !== 0) this.insert(hashes[s] as number, (slots[s] as number) - 1);
  }
}

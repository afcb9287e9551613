/**
 * Limits per client address: connections held at once and handshakes started per second. One
 * host cannot take every connection slot, nor keep the relay busy with handshakes it refuses.
 * IPv6 addresses count per /64, the block one subscriber usually gets.
 */

interface AddressEntry {
  connections: number;
  handshakeTokens: number;
  refilledAt: number;
}

export class AddressLimits {
  readonly #entries = new Map<string, AddressEntry>();

  constructor(
    private readonly maxConnections: number,
    private readonly handshakesPerSecond: number,
  ) {}

  /** Addresses tracked now (for tests of the table's own bound). */
  get size(): number {
    return this.#entries.size;
  }

  /** Takes one handshake from the address's budget; false when it is spent. */
  takeHandshake(address: string, now: number): boolean {
    const entry = this.#entry(address, now);
    const elapsed = Math.max(0, now - entry.refilledAt);
    entry.refilledAt = now;
    entry.handshakeTokens = Math.min(this.handshakesPerSecond, entry.handshakeTokens + (elapsed * this.handshakesPerSecond) / 1000);
    if (entry.handshakeTokens < 1) return false;
    entry.handshakeTokens -= 1;
    return true;
  }

  /** Counts a connection from `address`; false (and nothing counted) when it already has its share. */
  open(address: string, now: number): boolean {
    const entry = this.#entry(address, now);
    if (entry.connections >= this.maxConnections) return false;
    entry.connections++;
    return true;
  }

  close(address: string): void {
    const entry = this.#entries.get(address);
    if (entry !== undefined && entry.connections > 0) entry.connections--;
  }

  /** Forgets addresses with no connection whose handshake budget has refilled. */
  prune(now: number): void {
    const refillMs = 1000;
    for (const [address, entry] of this.#entries) {
      if (entry.connections === 0 && now - entry.refilledAt >= refillMs) this.#entries.delete(address);
    }
  }

  #entry(address: string, now: number): AddressEntry {
    let entry = this.#entries.get(address);
    if (entry === undefined) {
      entry = { connections: 0, handshakeTokens: this.handshakesPerSecond, refilledAt: now };
      this.#entries.set(address, entry);
    }
    return entry;
  }
}

/**
 * The key the limits count under: an IPv4 address as it is (also when mapped into IPv6), an
 * IPv6 address by its first 64 bits.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const bare = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped !== null) return mapped[1]!;
  if (!bare.includes(':')) return bare;
  const [head = '', tail = ''] = bare.split('::', 2) as [string, string?];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = bare.includes('::')
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

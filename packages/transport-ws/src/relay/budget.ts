/**
 * The relay's memory budget. What it holds for its clients is counted as it comes and goes —
 * a fixed cost per open socket, the bytes of messages partly received, the bytes queued to
 * receivers, the frames held back by delay faults or on their way to other relays — and added to what the process used when
 * the relay started. Frames that would not fit are dropped; at the limit the relay refuses
 * new connections and drops the ones holding the most.
 */
import { RelayOptionsError } from './options.ts';

/**
 * What one open connection costs beyond its buffers: socket, `ws` state, the relay's own
 * bookkeeping (measured: about 24 KiB per idle connection on Node 20).
 */
export const connectionCost = 32 * 1024;

/**
 * Room left for the process's own growth past its size at start: buffers already dropped but
 * not yet garbage-collected (V8 collects once tens of MiB of them pile up), V8's young
 * generation, compiled code. Measured: floods of forwarded frames with nothing held raise the
 * RSS by up to about 50 MiB.
 */
const processReserve = 64 * 1024 * 1024;

export interface HeldBytes {
  connections: number;
  incoming: number;
  queued: number;
  delayed: number;
  /** Frames for members of other relays, handed to Redis and not yet acknowledged. */
  cluster: number;
}

export class MemoryBudget {
  readonly held: HeldBytes = { connections: 0, incoming: 0, queued: 0, delayed: 0, cluster: 0 };
  /** The process's memory when the relay started, plus {@link processReserve}. */
  readonly base: number;
  #total = 0;

  constructor(
    readonly limit: number,
    processBytes: number,
  ) {
    this.base = processBytes + processReserve;
    if (limit < this.base + 64 * connectionCost) {
      throw new RelayOptionsError(
        `\`maxMemoryBytes\` (${mib(limit)}) leaves no room: the process already uses ${mib(processBytes)}, ` +
          `and the relay keeps ${mib(processReserve)} in reserve; give at least ${mib(this.base + 64 * connectionCost)}`,
      );
    }
  }

  /** The process's base plus everything held. */
  get used(): number {
    return this.base + this.#total;
  }

  get over(): boolean {
    return this.used > this.limit;
  }

  fits(bytes: number): boolean {
    return this.used + bytes <= this.limit;
  }

  change(kind: keyof HeldBytes, delta: number): void {
    this.held[kind] += delta;
    this.#total += delta;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

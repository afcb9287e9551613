import type { Message, NodeId } from '../raft/types.ts';
import type { Transport, TransportHandlers } from './transport.ts';

/** A delay in milliseconds, fixed or drawn uniformly from [min, max]. */
export type DelayMs = number | { readonly min: number; readonly max: number };

export interface MemoryNetworkOptions {
  /** Probability in [0, 1] that a message is lost. @default 0 */
  readonly dropRate?: number;
  /** Probability in [0, 1] that a message is delivered twice. @default 0 */
  readonly duplicateRate?: number;
  /** Delivery delay; a range reorders messages. With 0 delivery happens in the next microtask batch. @default 0 */
  readonly delayMs?: DelayMs;
  /** Source of randomness for drops, duplicates and delays (seed it for replayable runs). @default Math.random */
  readonly random?: () => number;
  /** Timer for delayed delivery (inject a virtual clock's). @default globalThis.setTimeout */
  readonly setTimeout?: (callback: () => void, ms: number) => unknown;
}

export interface MemoryNetworkStats {
  /** `send` calls accepted by the network. */
  sent: number;
  delivered: number;
  /** Lost to a fault (drop rate, cut link, partition) or to a missing, unstarted or closed recipient. */
  dropped: number;
  duplicated: number;
  /** Sent with a `from` that is not the sender: refused and reported to the recipient. */
  forged: number;
}

/** In-process network between transports; messages are passed by reference, never encoded. */
export interface MemoryNetwork {
  /** The transport of node `id` (one per id; asking twice returns the same one until it is closed). */
  transport(id: NodeId): Transport;
  /** Cut every link between nodes of different groups, both ways. Nodes in no group are unaffected. */
  partition(...groups: readonly (readonly NodeId[])[]): void;
  /** Drop messages from `from` to `to` (one direction). */
  cut(from: NodeId, to: NodeId): void;
  heal(from: NodeId, to: NodeId): void;
  /** Cut every link of `id`, both ways, until `healAll`. */
  isolate(id: NodeId): void;
  healAll(): void;
  setDropRate(rate: number): void;
  setDuplicateRate(rate: number): void;
  setDelay(delay: DelayMs): void;
  readonly stats: Readonly<MemoryNetworkStats>;
}

/** Length-prefixed so that ('a', 'bc') and ('ab', 'c') name different links. */
function linkKey(from: NodeId, to: NodeId): string {
  return `${from.length}:${from}${to}`;
}

export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  let dropRate = options.dropRate ?? 0;
  let duplicateRate = options.duplicateRate ?? 0;
  let delay: DelayMs = options.delayMs ?? 0;
  const random = options.random ?? Math.random;
  const setTimer = options.setTimeout ?? ((callback: () => void, ms: number) => globalThis.setTimeout(callback, ms));
  const stats: MemoryNetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, forged: 0 };
  const nodes = new Map<NodeId, MemoryTransport>();
  const cutLinks = new Set<string>();
  const isolated = new Set<NodeId>();
  let queue: Message[] = [];
  let flushScheduled = false;

  function deliver(message: Message): void {
    const target = nodes.get(message.to);
    if (target === undefined || target.handlers === undefined) {
      stats.dropped++;
      return;
    }
    stats.delivered++;
    try {
      target.handlers.message(message);
    } catch (error) {
      // A throwing handler is its node's bug; it must not cost the other nodes their messages.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  function flush(): void {
    flushScheduled = false;
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i++) deliver(batch[i]!);
  }

  function enqueue(message: Message): void {
    const ms = typeof delay === 'number' ? delay : delay.min + random() * (delay.max - delay.min);
    if (ms > 0) {
      setTimer(() => deliver(message), ms);
      return;
    }
    queue.push(message);
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flush);
    }
  }

  class MemoryTransport implements Transport {
    handlers: TransportHandlers | undefined;
    #closed = false;

    constructor(readonly id: NodeId) {}

    start(handlers: TransportHandlers): void {
      if (this.#closed) return;
      this.handlers = handlers;
    }

    send(message: Message): void {
      if (this.#closed) return;
      stats.sent++;
      if (message.from !== this.id) {
        stats.forged++;
        const target = nodes.get(message.to)?.handlers;
        const rejection = { reason: 'auth', detail: `${this.id} sent a message claiming to be from ${message.from}`, from: this.id } as const;
        queueMicrotask(() => target?.rejected?.(rejection));
        return;
      }
      if (
        (cutLinks.size > 0 && cutLinks.has(linkKey(message.from, message.to))) ||
        (isolated.size > 0 && (isolated.has(message.from) || isolated.has(message.to)))
      ) {
        stats.dropped++;
        return;
      }
      if (dropRate > 0 && random() < dropRate) {
        stats.dropped++;
        return;
      }
      enqueue(message);
      if (duplicateRate > 0 && random() < duplicateRate) {
        stats.duplicated++;
        enqueue(message);
      }
    }

    async close(): Promise<void> {
      if (this.#closed) return;
      this.#closed = true;
      this.handlers = undefined;
      if (nodes.get(this.id) === this) nodes.delete(this.id);
    }
  }

  return {
    transport(id) {
      let node = nodes.get(id);
      if (node === undefined) {
        node = new MemoryTransport(id);
        nodes.set(id, node);
      }
      return node;
    },
    partition(...groups) {
      for (let a = 0; a < groups.length; a++) {
        for (let b = 0; b < groups.length; b++) {
          if (a === b) continue;
          for (const from of groups[a]!) for (const to of groups[b]!) cutLinks.add(linkKey(from, to));
        }
      }
    },
    cut(from, to) {
      cutLinks.add(linkKey(from, to));
    },
    heal(from, to) {
      cutLinks.delete(linkKey(from, to));
    },
    isolate(id) {
      isolated.add(id);
    },
    healAll() {
      cutLinks.clear();
      isolated.clear();
    },
    setDropRate(rate) {
      dropRate = rate;
    },
    setDuplicateRate(rate) {
      duplicateRate = rate;
    },
    setDelay(next) {
      delay = next;
    },
    stats,
  };
}

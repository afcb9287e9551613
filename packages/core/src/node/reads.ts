/**
 * Linearizable reads through the core's ReadIndex (§6.4): reads asked for in the same ready
 * cycle share one `readIndex` round; each is served once the node has applied up to the read
 * index the leader confirmed.
 */
import { AbortError, TimeoutError } from './errors.ts';
import { readVarint, varintSize, writeVarint } from '../codec/varint.ts';

interface ReadWaiter {
  readonly serve: (index: number) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
  readonly timeoutMs: number;
  detach: (() => void) | undefined;
}

export class Reads {
  private nextRound = 1;
  private batch: ReadWaiter[] = [];
  private readonly rounds = new Map<number, ReadWaiter[]>();
  private waitingApply: { index: number; waiters: ReadWaiter[] }[] = [];
  private readonly live = new Set<ReadWaiter>();

  /** @param incarnation tells this node's rounds from a previous run's late answers. */
  constructor(private readonly incarnation: number) {}

  get size(): number {
    return this.live.size;
  }

  get hasBatch(): boolean {
    return this.batch.length > 0;
  }

  add<T>(serve: (index: number) => T | Promise<T>, deadline: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: ReadWaiter = { serve, resolve: resolve as (value: unknown) => void, reject, deadline, timeoutMs, detach: undefined };
      if (signal !== undefined) {
        const onAbort = (): void => this.settle(waiter, () => waiter.reject(new AbortError(signal.reason)));
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.live.add(waiter);
      this.batch.push(waiter);
    });
  }

  /** Starts one ReadIndex round for every read asked since the last call. */
  flush(readIndex: (context: Uint8Array) => void): void {
    const waiters = this.batch.filter((w) => this.live.has(w));
    this.batch = [];
    if (waiters.length === 0) return;
    const round = this.nextRound++;
    this.rounds.set(round, waiters);
    const context = new Uint8Array(4 + varintSize(round));
    new DataView(context.buffer).setUint32(0, this.incarnation >>> 0);
    writeVarint(context, 4, round);
    readIndex(context);
  }

  /** The leader confirmed `index` for the round in `context`. */
  confirmed(context: Uint8Array, index: number, applied: number): void {
    const round = this.roundOf(context);
    if (round === undefined) return;
    const waiters = this.rounds.get(round);
    if (waiters === undefined) return;
    this.rounds.delete(round);
    if (index <= applied) this.serve(waiters, index);
    else this.waitingApply.push({ index, waiters });
  }

  applied(applied: number): void {
    if (this.waitingApply.length === 0) return;
    const still: { index: number; waiters: ReadWaiter[] }[] = [];
    for (const pending of this.waitingApply) {
      if (pending.index <= applied) this.serve(pending.waiters, pending.index);
      else still.push(pending);
    }
    this.waitingApply = still;
  }

  expire(now: number): void {
    for (const waiter of this.live) {
      if (waiter.deadline <= now) this.settle(waiter, () => waiter.reject(new TimeoutError('read', waiter.timeoutMs)));
    }
    if (this.live.size === 0) {
      this.rounds.clear();
      this.waitingApply = [];
    }
  }

  failAll(error: Error): void {
    for (const waiter of [...this.live]) this.settle(waiter, () => waiter.reject(error));
    this.rounds.clear();
    this.waitingApply = [];
    this.batch = [];
  }

  private serve(waiters: readonly ReadWaiter[], index: number): void {
    for (const waiter of waiters) {
      this.settle(waiter, () => {
        try {
          waiter.resolve(waiter.serve(index));
        } catch (error) {
          waiter.reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    }
  }

  private settle(waiter: ReadWaiter, finish: () => void): void {
    if (!this.live.delete(waiter)) return;
    waiter.detach?.();
    finish();
  }

  private roundOf(context: Uint8Array): number | undefined {
    if (context.length < 5) return undefined;
    if (new DataView(context.buffer, context.byteOffset, 4).getUint32(0) !== this.incarnation >>> 0) return undefined;
    try {
      const [round, end] = readVarint(context, 4);
      return end === context.length ? round : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The callers waiting for their proposals, keyed by this node's proposal sequence. A waiter
 * is settled when its entry is applied here, when a newer leader overwrote its entry (only
 * known for entries this node appended as leader), on timeout, on abort, or on stop.
 */
import { AbortError, ProposalDroppedError, TimeoutError } from './errors.ts';

export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

interface Waiter {
  readonly resolve: (value: never) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly what: string;
  /** Index and term of the entry when this node appended it as leader; 0 otherwise. */
  index: number;
  term: number;
  detach: (() => void) | undefined;
}

export class Proposals {
  private nextSeq = 1;
  private readonly waiters = new Map<number, Waiter>();
  /** index → seq, for entries appended here as leader: lets an overwrite be detected. */
  private readonly byIndex = new Map<number, number>();

  get size(): number {
    return this.waiters.size;
  }

  /** Registers a waiter; `seq` goes into the entry's envelope. */
  add<T>(what: string, deadline: number, timeoutMs: number, signal: AbortSignal | undefined): { seq: number; promise: Promise<T> } {
    const seq = this.nextSeq++;
    let waiter!: Waiter;
    const promise = new Promise<T>((resolve, reject) => {
      waiter = { resolve: resolve as (value: never) => void, reject, deadline, timeoutMs, what, index: 0, term: 0, detach: undefined };
    });
    this.waiters.set(seq, waiter);
    if (signal !== undefined) {
      const onAbort = (): void => this.fail(seq, new AbortError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      waiter.detach = () => signal.removeEventListener('abort', onAbort);
    }
    return { seq, promise };
  }

  /** The entry of `seq` was appended here as leader at (`index`, `term`). */
  appended(seq: number, index: number, term: number): void {
    const waiter = this.waiters.get(seq);
    if (waiter === undefined) return;
    waiter.index = index;
    waiter.term = term;
    this.byIndex.set(index, seq);
  }

  settle(seq: number, outcome: Outcome): void {
    const waiter = this.take(seq);
    if (waiter === undefined) return;
    if (outcome.ok) waiter.resolve(outcome.value as never);
    else waiter.reject(outcome.error);
  }

  fail(seq: number, error: Error): void {
    this.take(seq)?.reject(error);
  }

  /**
   * The entry at `index` with `term` was applied. Returns the seq of the waiter that appended
   * exactly this entry; a waiter whose entry at `index` had another term is rejected as dropped.
   */
  appliedAt(index: number, term: number): number | undefined {
    if (this.byIndex.size === 0) return undefined;
    const seq = this.byIndex.get(index);
    if (seq === undefined) return undefined;
    const waiter = this.waiters.get(seq);
    if (waiter === undefined || waiter.term === term) return seq;
    this.fail(seq, new ProposalDroppedError(index, waiter.term));
    return undefined;
  }

  /** Rejects every waiter whose deadline passed. */
  expire(now: number): void {
    for (const [seq, waiter] of this.waiters) {
      if (waiter.deadline <= now) this.fail(seq, new TimeoutError(waiter.what, waiter.timeoutMs));
    }
  }

  failAll(error: Error): void {
    for (const seq of [...this.waiters.keys()]) this.fail(seq, error);
  }

  private take(seq: number): Waiter | undefined {
    const waiter = this.waiters.get(seq);
    if (waiter === undefined) return undefined;
    this.waiters.delete(seq);
    if (waiter.index !== 0) this.byIndex.delete(waiter.index);
    waiter.detach?.();
    return waiter;
  }
}

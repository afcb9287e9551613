/**
 * The callers waiting for their proposals, keyed by this node's proposal sequence. A waiter
 * is settled when its entry is applied here, when a newer leader overwrote its entry (only
 * known for entries this node appended as leader), on timeout, on abort, or on stop.
 */
import { AbortError, ProposalDroppedError, TimeoutError } from './errors.ts';

export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

class Waiter {
  detach: (() => void) | undefined = undefined;
  constructor(
    readonly resolve: (value: never) => void,
    readonly reject: (error: Error) => void,
    readonly deadline: number,
    readonly timeoutMs: number,
    readonly what: string,
  ) {}
}

// One shared executor captures each new Promise's settle functions, so `add` allocates no closure.
let capturedResolve: (value: never) => void = () => undefined;
let capturedReject: (error: Error) => void = () => undefined;
function capture(resolve: (value: never) => void, reject: (error: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

export class Proposals {
  private nextSeq = 1;
  private readonly waiters = new Map<number, Waiter>();
  /**
   * Entries appended here as leader, as parallel arrays sorted by index (from `head` on), so
   * an entry overwritten by a newer leader is detected when another one is applied at its index.
   */
  private appendedIndex: number[] = [];
  private appendedTerm: number[] = [];
  private appendedSeq: number[] = [];
  private head = 0;

  get size(): number {
    return this.waiters.size;
  }

  /** Sequence number of the waiter `add` registered last; it goes into the entry's envelope. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Registers a waiter under the next sequence number (read it from `lastSeq`). */
  add<T>(what: string, deadline: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    const seq = this.nextSeq++;
    const promise = new Promise<T>(capture as (resolve: (value: T) => void, reject: (error: Error) => void) => void);
    const waiter = new Waiter(capturedResolve, capturedReject, deadline, timeoutMs, what);
    this.waiters.set(seq, waiter);
    if (signal !== undefined) {
      const onAbort = (): void => this.fail(seq, new AbortError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      waiter.detach = () => signal.removeEventListener('abort', onAbort);
    }
    return promise;
  }

  /** The entry of `seq` was appended here as leader at (`index`, `term`). */
  appended(seq: number, index: number, term: number): void {
    // Appending at or below an index already listed means a newer leader truncated our log
    // in between: what we appended there is gone for good.
    // (Several waiters share an index when their commands were batched into one entry.)
    while (this.appendedIndex.length > this.head && this.supersedes(index, term)) {
      const lostIndex = this.appendedIndex.pop()!;
      const lostTerm = this.appendedTerm.pop()!;
      this.fail(this.appendedSeq.pop()!, new ProposalDroppedError(lostIndex, lostTerm));
    }
    this.appendedIndex.push(index);
    this.appendedTerm.push(term);
    this.appendedSeq.push(seq);
  }

  settle(seq: number, outcome: Outcome): void {
    const waiter = this.take(seq);
    if (waiter === undefined) return;
    if (outcome.ok) waiter.resolve(outcome.value as never);
    else waiter.reject(outcome.error);
  }

  resolve(seq: number, value: unknown): void {
    this.take(seq)?.resolve(value as never);
  }

  fail(seq: number, error: Error): void {
    this.take(seq)?.reject(error);
  }

  /**
   * The entry at `index` with `term` was applied. Returns the seq of the waiter that appended
   * exactly this entry as leader; one whose entry at `index` had another term is rejected as dropped.
   */
  appliedAt(index: number, term: number): number | undefined {
    const indexes = this.appendedIndex;
    let head = this.head;
    if (head === indexes.length) return undefined;
    while (head < indexes.length && indexes[head]! < index) head++;
    let found: number | undefined;
    while (head < indexes.length && indexes[head] === index) {
      const seq = this.appendedSeq[head]!;
      if (this.appendedTerm[head] === term) found ??= seq;
      else this.fail(seq, new ProposalDroppedError(index, this.appendedTerm[head]!));
      head++;
    }
    this.head = head;
    if (head === indexes.length) {
      this.appendedIndex = [];
      this.appendedTerm = [];
      this.appendedSeq = [];
      this.head = 0;
    } else if (head > 4096) {
      this.appendedIndex = indexes.slice(head);
      this.appendedTerm = this.appendedTerm.slice(head);
      this.appendedSeq = this.appendedSeq.slice(head);
      this.head = 0;
    }
    return found;
  }

  /** An entry appended at (`index`, `term`) replaces the last one listed. */
  private supersedes(index: number, term: number): boolean {
    const last = this.appendedIndex.length - 1;
    const lastIndex = this.appendedIndex[last]!;
    return lastIndex > index || (lastIndex === index && this.appendedTerm[last] !== term);
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
    waiter.detach?.();
    return waiter;
  }
}

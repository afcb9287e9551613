/**
 * The callers waiting for their proposals, keyed by this node's proposal sequence. A waiter
 * is settled when its entry is applied here; as definitely dropped when another entry was
 * applied at its index (only known for entries this node appended as leader); or, outcome
 * unknown, on timeout, on abort, or on stop. An entry overwritten in this node's own log is
 * not yet lost — another node may hold it and a later leader commit it — so that alone
 * settles nothing.
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

/**
 * Waiters by sequence number. Numbers are handed out in order and mostly settled in order, so
 * an array from the oldest unsettled number on does what a Map would, without hashing. A
 * waiter left behind by more than `WINDOW` newer ones moves to a Map, so one slow request
 * cannot make the array grow with the traffic behind it.
 */
class WaiterTable {
  private static readonly WINDOW = 4096;
  private slots: (Waiter | undefined)[] = [];
  private head = 0;
  /** The sequence number of `slots[head]`. */
  private base = 1;
  private readonly stragglers = new Map<number, Waiter>();
  size = 0;

  /** `seq` must be the next number: one past the last one added. */
  push(seq: number, waiter: Waiter): void {
    if (this.head === this.slots.length) {
      this.slots = [];
      this.head = 0;
      this.base = seq;
    }
    this.slots.push(waiter);
    this.size++;
    while (this.slots.length - this.head > WaiterTable.WINDOW) {
      const oldest = this.slots[this.head];
      if (oldest !== undefined) this.stragglers.set(this.base, oldest);
      this.slots[this.head] = undefined;
      this.skipSettled();
    }
  }

  take(seq: number): Waiter | undefined {
    const at = seq - this.base + this.head;
    let waiter: Waiter | undefined;
    if (at >= this.head && at < this.slots.length) {
      waiter = this.slots[at];
      if (waiter === undefined) return undefined;
      this.slots[at] = undefined;
      if (at === this.head) this.skipSettled();
    } else {
      waiter = this.stragglers.get(seq);
      if (waiter === undefined) return undefined;
      this.stragglers.delete(seq);
    }
    this.size--;
    return waiter;
  }

  /** The lowest number still waiting, or undefined when none is. */
  lowest(): number | undefined {
    let lowest = this.head < this.slots.length ? this.base : undefined;
    for (const seq of this.stragglers.keys()) if (lowest === undefined || seq < lowest) lowest = seq;
    return lowest;
  }

  /** The numbers of the waiters that pass `test` (a list: callers may take while going through it). */
  select(test: (waiter: Waiter) => boolean): number[] {
    const out: number[] = [];
    for (const [seq, waiter] of this.stragglers) if (test(waiter)) out.push(seq);
    for (let i = this.head; i < this.slots.length; i++) {
      const waiter = this.slots[i];
      if (waiter !== undefined && test(waiter)) out.push(this.base + i - this.head);
    }
    return out;
  }

  private skipSettled(): void {
    const slots = this.slots;
    while (this.head < slots.length && slots[this.head] === undefined) {
      this.head++;
      this.base++;
    }
    if (this.head > 1024 && this.head * 2 > slots.length) {
      this.slots = slots.slice(this.head);
      this.head = 0;
    }
  }
}

export class Proposals {
  private nextSeq = 1;
  private readonly waiters = new WaiterTable();
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

  /** Every proposal up to this sequence number is settled (resolved, rejected or given up). */
  get floor(): number {
    return (this.waiters.lowest() ?? this.nextSeq) - 1;
  }

  /** Registers a waiter under the next sequence number (read it from `lastSeq`). */
  add<T>(what: string, deadline: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    const seq = this.nextSeq++;
    const promise = new Promise<T>(capture as (resolve: (value: T) => void, reject: (error: Error) => void) => void);
    const waiter = new Waiter(capturedResolve, capturedReject, deadline, timeoutMs, what);
    this.waiters.push(seq, waiter);
    if (signal !== undefined) {
      const onAbort = (): void => this.fail(seq, new AbortError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      waiter.detach = () => signal.removeEventListener('abort', onAbort);
    }
    return promise;
  }

  /** The entry of `seq` was appended here as leader at (`index`, `term`). */
  appended(seq: number, index: number, term: number): void {
    const indexes = this.appendedIndex;
    // Appending at or below an index already listed means a newer leader truncated our log in
    // between; the older entry stays listed until its index is applied (several waiters also
    // share an index when their commands were batched into one entry).
    let at = indexes.length;
    while (at > this.head && indexes[at - 1]! > index) at--;
    if (at === indexes.length) {
      indexes.push(index);
      this.appendedTerm.push(term);
      this.appendedSeq.push(seq);
    } else {
      indexes.splice(at, 0, index);
      this.appendedTerm.splice(at, 0, term);
      this.appendedSeq.splice(at, 0, seq);
    }
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

  /** Rejects every waiter whose deadline passed. */
  expire(now: number): void {
    for (const seq of this.waiters.select((waiter) => waiter.deadline <= now)) {
      const waiter = this.take(seq)!;
      waiter.reject(new TimeoutError(waiter.what, waiter.timeoutMs));
    }
  }

  failAll(error: Error): void {
    for (const seq of this.waiters.select(() => true)) this.fail(seq, error);
  }

  private take(seq: number): Waiter | undefined {
    const waiter = this.waiters.take(seq);
    if (waiter === undefined) return undefined;
    waiter.detach?.();
    return waiter;
  }
}

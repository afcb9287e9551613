/**
 * The search behind the linearizability checker for one key: a register with get / put / cas.
 *
 * Wing & Gong's depth-first search places, one at a time, an operation that may come next (its
 * call is not after the earliest return among the required operations not yet placed) and is
 * legal in the current state, and backtracks when none is. On top of it:
 * - Lowe's memo: a configuration (set of placed operations, state) is explored once. The set is
 *   keyed as a cut, the optional operations below it still open, and the bits above it: every
 *   required operation before `cut` (in call order) is placed, so only a few words enter the
 *   key however long the history, even while an unknown write stays open a long time.
 * - The memo does not tell apart values that no operation left reads ("dead" values): from any
 *   of them the search can only go on with a blind write (put), after which the states agree.
 * - Forced moves: a read that sees the current value is placed at once and nothing else is
 *   tried at that point: any linearization that places it later can place it here instead,
 *   since it changes nothing and no operation left must precede it.
 * - Dead puts are absorbed: a required put of a dead value can only be followed by a blind
 *   write (or nothing), so it goes, with no effect, right before the next blind write placed
 *   while it may; alone it is tried only once it has the earliest return left.
 * - Writes are tried in order of return, since the earliest to return must be placed first.
 * - An optional (`info`) write is tried only while some operation not yet placed reads what it
 *   writes: once none does, leaving it out is as good as any place for it, so it is set aside
 *   (placed with no effect), which keeps the list of open ones in the memo key short.
 */

import { ConfigSet } from './config-set.ts';

export const ANY = -1;
/** `reads` of an operation no state allows (a cas that reports finding the value it expected). */
export const IMPOSSIBLE = -2;
export const KEEP = -1;

export interface RegisterOp {
  readonly call: number;
  /** `Infinity` for an optional operation. */
  readonly ret: number;
  /** Required: it took effect (or answered) and must be placed; optional: it may never have happened. */
  readonly required: boolean;
  /** The value id the state must hold for the operation to happen here, or {@link ANY}. */
  readonly reads: number;
  /** The value id it leaves, or {@link KEEP}. A required op that keeps the value is a read. */
  readonly writes: number;
}

export type SearchOutcome =
  | { readonly verdict: 'linearizable'; readonly steps: number }
  | {
      readonly verdict: 'violated' | 'undecided';
      readonly steps: number;
      /** Indices of the longest sequence of placed operations from which no required one could follow. */
      readonly longest: readonly number[];
      /** The required operation with the earliest return that the longest sequence could not place. */
      readonly stuck: number | undefined;
    };

/** A configuration on the search path, and the placement that led to it from the one below. */
interface Frame {
  /** The operation placed to reach this configuration (-1 at the root). */
  readonly op: number;
  /** Dead puts placed right before `op`. */
  readonly absorbed: readonly number[];
  /** Optional operations set aside because this placement left them without readers. */
  readonly setAside: readonly number[];
  readonly prevState: number;
  readonly prevCut: number;
  readonly prevFirstReturn: number;
  readonly prevHigh: number;
  readonly candidates: readonly number[];
  /** Dead puts that a blind write placed from here absorbs. */
  readonly absorbable: readonly number[];
  next: number;
}

/**
 * Searches a linearization of `ops` (sorted by call) from the absent state (value id 0) with at
 * most `maxSteps` placements tried. Optional operations must each have a reader: see
 * {@link dropUnreadOptional}.
 */
export function searchRegister(ops: readonly RegisterOp[], values: number, maxSteps: number): SearchOutcome {
  return new RegisterSearch(ops, values).run(maxSteps);
}

class RegisterSearch {
  private readonly n: number;
  private readonly placed: Uint8Array;
  private readonly words: Int32Array;
  /** Required operations by return. */
  private readonly byReturn: number[];
  /** Per value id: operations not yet placed that read it. */
  private readonly readers: Int32Array;
  private readonly optionalWriters: number[][];
  /**
   * Optional operations not placed, in index order, as a doubly linked list (head `n`) that
   * placements undone in reverse order restore.
   */
  private readonly openNext: Int32Array;
  private readonly openPrev: Int32Array;
  private readonly seen = new ConfigSet();
  /** Scratch for memo keys. */
  private readonly key: Int32Array;
  private state = 0;
  /** Every required operation before it (in call order) is placed. */
  private cut = 0;
  /** Index in `byReturn` of the first required operation not placed. */
  private firstReturn = 0;
  /** The highest index placed. */
  private high = -1;
  private requiredLeft: number;

  constructor(
    private readonly ops: readonly RegisterOp[],
    values: number,
  ) {
    this.n = ops.length;
    this.placed = new Uint8Array(this.n);
    this.words = new Int32Array((this.n >> 5) + 1);
    this.byReturn = ops.map((_, i) => i).filter((i) => (ops[i] as RegisterOp).required);
    this.byReturn.sort((a, b) => (ops[a] as RegisterOp).ret - (ops[b] as RegisterOp).ret || a - b);
    this.requiredLeft = this.byReturn.length;
    this.readers = new Int32Array(values);
    this.optionalWriters = Array.from({ length: values }, () => []);
    this.openNext = new Int32Array(this.n + 1);
    this.openPrev = new Int32Array(this.n + 1);
    let last = this.n;
    ops.forEach((op, i) => {
      if (op.reads >= 0) (this.readers[op.reads] as number)++;
      if (op.required) return;
      if (op.writes >= 0) (this.optionalWriters[op.writes] as number[]).push(i);
      this.openNext[last] = i;
      this.openPrev[i] = last;
      last = i;
    });
    this.openNext[last] = this.n;
    this.openPrev[this.n] = last;
    this.key = new Int32Array(this.n + this.words.length + 3);
    this.advanceCut();
  }

  private advanceCut(): void {
    while (this.cut < this.n && (this.placed[this.cut] === 1 || !(this.ops[this.cut] as RegisterOp).required)) this.cut++;
  }

  run(maxSteps: number): SearchOutcome {
    if (this.requiredLeft === 0) return { verdict: 'linearizable', steps: 0 };
    const frames: Frame[] = [this.frame(-1, [], [], this.state, this.cut, this.firstReturn, this.high, this.expand() as Expansion)];
    let steps = 0;
    // The longest path kept as frames; `shared` of them are still those of the current path.
    const longest: Frame[] = [];
    let shared = 0;
    let stuck: number | undefined;
    let longestDepth = -1;
    const ended = (verdict: 'violated' | 'undecided', count: number): SearchOutcome => ({
      verdict,
      steps: count,
      longest: longest.slice(1).flatMap((f) => [...f.absorbed, f.op]),
      stuck,
    });
    while (this.requiredLeft > 0) {
      const frame = frames[frames.length - 1] as Frame;
      if (frame.next >= frame.candidates.length) {
        const depth = this.byReturn.length - this.requiredLeft;
        if (depth > longestDepth) {
          longestDepth = depth;
          longest.length = shared;
          for (let k = shared; k < frames.length; k++) longest.push(frames[k] as Frame);
          shared = frames.length;
          stuck = this.byReturn[this.firstReturn];
        }
        if (frame.op < 0) return ended('violated', steps);
        frames.pop();
        if (shared > frames.length) shared = frames.length;
        this.undo(frame);
        continue;
      }
      if (++steps > maxSteps) return ended('undecided', maxSteps);
      const i = frame.candidates[frame.next++] as number;
      const op = this.ops[i] as RegisterOp;
      const absorbed = op.reads === ANY ? frame.absorbable.filter((p) => p !== i) : [];
      const setAside: number[] = [];
      const { state, cut, firstReturn, high } = this;
      for (const p of absorbed) this.place(p, setAside);
      this.place(i, setAside);
      if (op.writes !== KEEP) this.state = op.writes;
      this.advanceCut();
      while (this.firstReturn < this.byReturn.length && this.placed[this.byReturn[this.firstReturn] as number] === 1) this.firstReturn++;
      const expansion = this.requiredLeft === 0 ? { candidates: [], absorbable: [] } : this.expand();
      const child = this.frame(i, absorbed, setAside, state, cut, firstReturn, high, expansion ?? NOTHING);
      if (expansion === undefined) this.undo(child);
      else frames.push(child);
    }
    return { verdict: 'linearizable', steps };
  }

  private frame(
    op: number,
    absorbed: readonly number[],
    setAside: readonly number[],
    prevState: number,
    prevCut: number,
    prevFirstReturn: number,
    prevHigh: number,
    { candidates, absorbable }: Expansion,
  ): Frame {
    return { op, absorbed, setAside, prevState, prevCut, prevFirstReturn, prevHigh, candidates, absorbable, next: 0 };
  }

  private mark(i: number): void {
    this.placed[i] = 1;
    this.words[i >> 5] = (this.words[i >> 5] as number) | (1 << (i & 31));
    if (i > this.high) this.high = i;
    if (!(this.ops[i] as RegisterOp).required) {
      this.openNext[this.openPrev[i] as number] = this.openNext[i] as number;
      this.openPrev[this.openNext[i] as number] = this.openPrev[i] as number;
    }
  }

  /** Placing `i` removes one reader of what it reads; optional writers left without readers are set aside. */
  private place(i: number, setAside: number[]): void {
    this.mark(i);
    if ((this.ops[i] as RegisterOp).required) this.requiredLeft--;
    const pending = [i];
    while (pending.length > 0) {
      const value = (this.ops[pending.pop() as number] as RegisterOp).reads;
      if (value < 0) continue;
      const left = --(this.readers[value] as number);
      if (left > 1) continue;
      for (const w of this.optionalWriters[value] as number[]) {
        if (this.placed[w] === 1 || left - ((this.ops[w] as RegisterOp).reads === value ? 1 : 0) > 0) continue;
        this.mark(w);
        setAside.push(w);
        pending.push(w);
      }
    }
  }

  private unplace(i: number): void {
    const op = this.ops[i] as RegisterOp;
    this.placed[i] = 0;
    this.words[i >> 5] = (this.words[i >> 5] as number) & ~(1 << (i & 31));
    if (op.required) this.requiredLeft++;
    else {
      this.openNext[this.openPrev[i] as number] = i;
      this.openPrev[this.openNext[i] as number] = i;
    }
    if (op.reads >= 0) (this.readers[op.reads] as number)++;
  }

  /** Takes back the placements that led to `frame` and restores the configuration below it. */
  private undo(frame: Frame): void {
    for (let k = frame.setAside.length - 1; k >= 0; k--) this.unplace(frame.setAside[k] as number);
    this.unplace(frame.op);
    for (let k = frame.absorbed.length - 1; k >= 0; k--) this.unplace(frame.absorbed[k] as number);
    this.state = frame.prevState;
    this.cut = frame.prevCut;
    this.firstReturn = frame.prevFirstReturn;
    this.high = frame.prevHigh;
  }

  /** What may be placed next in the current configuration, or undefined when it was explored before. */
  private expand(): Expansion | undefined {
    const { ops, placed, readers, state, cut, n, key, openNext } = this;
    let length = 0;
    key[length++] = (readers[state] as number) > 0 ? state : -1;
    key[length++] = cut;
    for (let i = openNext[n] as number; i < cut; i = openNext[i] as number) key[length++] = i;
    key[length++] = -1;
    for (let w = cut >> 5; w <= this.high >> 5; w++) key[length++] = this.words[w] as number;
    if (!this.seen.add(key, length)) return undefined;
    const first = this.byReturn[this.firstReturn] as number;
    const minReturn = (ops[first] as RegisterOp).ret;
    const candidates: number[] = [];
    const absorbable: number[] = [];
    // Open optional operations below the cut were called before it, so they may all come next.
    for (let i = openNext[n] as number; i < cut; i = openNext[i] as number) {
      const op = ops[i] as RegisterOp;
      if ((op.reads === ANY || op.reads === state) && op.writes !== state) candidates.push(i);
    }
    for (let i = cut; i < n; i++) {
      const op = ops[i] as RegisterOp;
      // Equal times are concurrent: an operation called when another returns may precede it.
      if (op.call > minReturn) break;
      if (placed[i] === 1) continue;
      if (op.required && op.reads === ANY && readers[op.writes] === 0) {
        absorbable.push(i);
        if (i === first) candidates.push(i);
        continue;
      }
      if (op.reads !== ANY && op.reads !== state) continue;
      if (op.writes === KEEP) return { candidates: [i], absorbable: [] };
      // An optional write of the value already there is no better than leaving it for later.
      if (op.required || op.writes !== state) candidates.push(i);
    }
    candidates.sort((a, b) => (ops[a] as RegisterOp).ret - (ops[b] as RegisterOp).ret || a - b);
    return { candidates, absorbable };
  }
}

interface Expansion {
  readonly candidates: readonly number[];
  readonly absorbable: readonly number[];
}

const NOTHING: Expansion = { candidates: [], absorbable: [] };

/**
 * Drops optional operations whose written value no remaining operation reads, repeatedly (an
 * optional cas dropped this way no longer reads its expected value): they can always be left
 * out. Returns the operations kept, in their order.
 */
export function dropUnreadOptional<T extends RegisterOp>(ops: readonly T[], values: number): T[] {
  const readers = new Int32Array(values);
  for (const op of ops) if (op.reads >= 0) (readers[op.reads] as number)++;
  const dropped = new Uint8Array(ops.length);
  let changed = true;
  while (changed) {
    changed = false;
    ops.forEach((op, i) => {
      if (op.required || dropped[i] === 1 || op.writes < 0) return;
      const others = (readers[op.writes] as number) - (op.reads === op.writes ? 1 : 0);
      if (others > 0) return;
      dropped[i] = 1;
      if (op.reads >= 0) (readers[op.reads] as number)--;
      changed = true;
    });
  }
  return ops.filter((_, i) => dropped[i] === 0);
}

/**
 * The page's side of a tab store's state: one replica per node the tab runs, each moved by
 * that node's applied commands (the reducer runs here, on the page), and the view — the
 * furthest of them — that `getState` and subscribers see. The view never goes back: a slot
 * taken over from a closed tab starts from the slot's older log and catches up while the view
 * stays where it was. Replicas at the same seq have equal states (every replica applies the
 * same commands in the same order), so a replica that reaches a seq another one computed
 * recently reuses that state instead of running the reducer again.
 */
import { unwrapReduced, type Reducer } from '../reducer.ts';
import type { StateSerializer } from '../serializer.ts';

/** What a subscriber learns with each new state of the view. */
export interface TabStateChange<C> {
  /** How many commands the state includes (the same number in every tab for the same state). */
  readonly seq: number;
  /** The command applied, or undefined when the state came from a snapshot. */
  readonly command?: C;
}

export type TabStateListener<S, C> = (state: S, change: TabStateChange<C>) => void;

type Outcome<R> = { readonly result: R } | { readonly error: unknown };

interface Replica<S> {
  seq: number;
  state: S;
}

/** States kept for replicas that are behind, and results kept for dispatches not yet answered. */
const MEMO_STATES = 1024;
const KEPT_RESULTS = 65_536;

export class Replicas<S, C, R> {
  view: { seq: number; state: S };
  readonly listeners = new Set<TabStateListener<S, C>>();
  readonly #replicas = new Map<string, Replica<S>>();
  readonly #memo = new Map<number, S>();
  readonly #results = new Map<number, Outcome<R>>();
  #waiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    private readonly initialState: S,
    private readonly reducer: Reducer<S, C, R>,
    private readonly serializer: StateSerializer<S>,
  ) {
    this.view = { seq: 0, state: initialState };
  }

  add(node: string): void {
    this.#replicas.set(node, { seq: 0, state: this.initialState });
  }

  remove(node: string): void {
    this.#replicas.delete(node);
  }

  applied(node: string, first: number, commands: readonly C[]): void {
    const replica = this.#replicas.get(node);
    if (replica === undefined) return;
    if (first !== replica.seq + 1) throw new RangeError(`tab store: node ${node} applied seq ${first} after ${replica.seq}`);
    const shared = this.#replicas.size > 1;
    for (let i = 0; i < commands.length; i++) {
      const seq = first + i;
      const command = commands[i]!;
      const known = shared ? this.#memo.get(seq) : undefined;
      if (known !== undefined) {
        replica.state = known;
      } else {
        this.#reduce(replica, seq, command);
        if (shared) this.#remember(seq, replica.state);
      }
      replica.seq = seq;
      if (seq > this.view.seq) this.#show(seq, replica.state, command);
    }
  }

  restored(node: string, seq: number, bytes: Uint8Array): void {
    const replica = this.#replicas.get(node);
    if (replica === undefined) return;
    replica.state = this.serializer.deserialize(bytes);
    replica.seq = seq;
    if (seq > this.view.seq) this.#show(seq, replica.state, undefined);
  }

  /** Node `node`'s state, serialized, at `seq` (where its replica is when the node asks). */
  snapshot(node: string, seq: number): Uint8Array {
    const replica = this.#replicas.get(node);
    if (replica === undefined || replica.seq !== seq) throw new RangeError(`tab store: node ${node} wants a snapshot at ${seq}, its replica is at ${replica?.seq}`);
    return this.serializer.serialize(replica.state);
  }

  /** Resolves once the view includes command `seq`. */
  reached(seq: number): Promise<void> {
    if (this.view.seq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      let at = this.#waiters.length;
      while (at > 0 && this.#waiters[at - 1]!.seq > seq) at--;
      this.#waiters.splice(at, 0, { seq, resolve });
    });
  }

  /** What the reducer answered to command `seq` (once the view includes it), forgotten once asked. */
  outcome(seq: number): Outcome<R | undefined> {
    const outcome = this.#results.get(seq);
    this.#results.delete(seq);
    return outcome ?? { result: undefined };
  }

  #reduce(replica: Replica<S>, seq: number, command: C): void {
    let outcome: Outcome<R> | undefined;
    try {
      const { state, result } = unwrapReduced(this.reducer(replica.state, command));
      replica.state = state;
      if (result !== undefined) outcome = { result };
    } catch (error) {
      // A reducer that throws throws on every replica alike: the state stays as it was everywhere.
      outcome = { error };
    }
    if (outcome !== undefined && !this.#results.has(seq)) {
      this.#results.set(seq, outcome);
      if (this.#results.size > KEPT_RESULTS) this.#results.delete(this.#results.keys().next().value!);
    }
  }

  #remember(seq: number, state: S): void {
    this.#memo.set(seq, state);
    if (this.#memo.size > MEMO_STATES) this.#memo.delete(this.#memo.keys().next().value!);
  }

  #show(seq: number, state: S, command: C | undefined): void {
    this.view = { seq, state };
    const change: TabStateChange<C> = command === undefined ? { seq } : { seq, command };
    for (const listener of [...this.listeners]) {
      try {
        listener(state, change);
      } catch (error) {
        // A subscriber's bug must not stop the replicas.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    while (this.#waiters.length > 0 && this.#waiters[0]!.seq <= seq) this.#waiters.shift()!.resolve();
  }
}

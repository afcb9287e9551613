/**
 * What a reducer may return: the next state alone, or the next state with a result for the
 * caller of `dispatch` (made by {@link withResult}).
 */
export type Reduced<S, R> = S | WithResult<S, R>;

// Registered, so another copy of this package and @webraft/sim's simulateApp recognize it too.
const resultTag: unique symbol = Symbol.for('webraft.withResult');

export interface WithResult<S, R> {
  readonly [resultTag]: true;
  readonly state: S;
  readonly result: R;
}

/** Return this from a reducer to answer `dispatch` with `result` while moving to `state`. */
export function withResult<S, R>(state: S, result: R): WithResult<S, R> {
  return { [resultTag]: true, state, result };
}

export function unwrapReduced<S, R>(reduced: Reduced<S, R>): { state: S; result: R | undefined } {
  if (typeof reduced === 'object' && reduced !== null && resultTag in reduced) {
    const { state, result } = reduced as WithResult<S, R>;
    return { state, result };
  }
  return { state: reduced as S, result: undefined };
}

/**
 * A pure function from (state, command) to the next state. It runs on every replica for every
 * committed command, so it must be deterministic: no clocks, no randomness, no I/O. It must
 * not mutate `state` (return a new object): subscribers keep the states they were given.
 */
export type Reducer<S, C, R> = (state: S, command: C) => Reduced<S, R>;

/**
 * The user's replicated state (applied exactly once per index, in index order).
 * `C` is the command type (decoded by the node's command codec), `R` the apply result
 * returned to the proposer.
 */
export interface StateMachine<C = unknown, R = unknown> {
  apply(command: C, index: number): R | Promise<R>;
  /** A self-contained image of the state; `restore(snapshot())` must give the same state. */
  snapshot(): Uint8Array | Promise<Uint8Array>;
  restore(data: Uint8Array): void | Promise<void>;
}

/** Turns commands into entry bytes and back. The default is JSON. */
export interface CommandCodec<C> {
  encode(command: C): Uint8Array;
  decode(bytes: Uint8Array): C;
}

/** Time as the node sees it; inject a virtual or Worker-driven clock in tests and hidden tabs. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

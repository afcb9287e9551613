/** Reconnect delays: exponential growth, capped, with random jitter so peers do not reconnect in lockstep. */
export interface BackoffOptions {
  /** First retry delay in ms. @default 250 */
  readonly initialMs?: number;
  /** Upper bound of a delay in ms. @default 10000 */
  readonly maxMs?: number;
  /** Growth per failed attempt. @default 2 */
  readonly factor?: number;
  /** Fraction of each delay that is random: the delay is drawn from [d × (1 − jitter), d]. @default 0.5 */
  readonly jitter?: number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions, random: () => number) {
    this.#initialMs = options.initialMs ?? 250;
    this.#maxMs = options.maxMs ?? 10_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.#random = random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * this.#factor ** this.#attempt);
    this.#attempt++;
    return ceiling * (1 - this.#jitter * this.#random());
  }

  reset(): void {
    this.#attempt = 0;
  }
}

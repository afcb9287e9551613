/** A token bucket that holds one second's worth: the relays' per-member rate limits. */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(
    readonly perSecond: number,
    now: number,
  ) {
    this.#tokens = perSecond;
    this.#refilledAt = now;
  }

  /** Takes `count` tokens (one by default); false, and nothing taken, when there are fewer. */
  take(now: number, count = 1): boolean {
    this.#refill(now);
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }

  /** Takes `count` tokens, into debt if need be; returns the ms until the debt is paid (0: none). */
  spend(count: number, now: number): number {
    this.#refill(now);
    this.#tokens -= count;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.perSecond);
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#refilledAt = now;
    this.#tokens = Math.min(this.perSecond, this.#tokens + (elapsed * this.perSecond) / 1000);
  }
}

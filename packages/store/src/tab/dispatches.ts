/**
 * A tab's dispatches on their way through the log. A proposal that a follower forwarded to a
 * leader that went away is lost, so each dispatch is proposed again when this tab's node sees a
 * new leader, and every `RETRY_MS` while it waits; the recorder applies it once whatever the
 * number of attempts (see DispatchEnvelope). The first attempt that comes back settles it.
 */
import type { RaftNode } from '@webraft/core';
import type { CommandRecorder, DispatchEnvelope } from './recorder.ts';
import type { RemoteError } from './protocol.ts';
import { toRemoteError } from './protocol.ts';

/** Errors after which another attempt may still work: the outcome of the earlier one is unknown. */
const retryable = new Set(['TimeoutError', 'NotLeaderError', 'ProposalDroppedError', 'StoppedError', 'AbortError']);
export const RETRY_MS = 1000;

interface Pending {
  readonly n: number;
  readonly command: unknown;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly done: (outcome: { node: string; seq: number } | RemoteError) => void;
  lastAttempt: number;
}

export class Dispatches {
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  constructor(
    private readonly tab: string,
    private readonly route: () => RaftNode<CommandRecorder> | undefined,
  ) {}

  get size(): number {
    return this.#pending.size;
  }

  add(command: unknown, timeoutMs: number, done: Pending['done']): void {
    const n = ++this.#next;
    const now = Date.now();
    const pending: Pending = { n, command, deadline: now + timeoutMs, timeoutMs, done, lastAttempt: 0 };
    this.#pending.set(n, pending);
    this.#attempt(pending, now);
  }

  /** Proposes again every dispatch still waiting (a new leader), or only those waiting long (`stale`). */
  retry(stale: boolean): void {
    const now = Date.now();
    for (const pending of this.#pending.values()) {
      if (now >= pending.deadline) this.#settle(pending, { name: 'TimeoutError', message: `dispatch timed out after ${pending.timeoutMs} ms (outcome unknown: it may still take effect)` });
      else if (!stale || now - pending.lastAttempt >= RETRY_MS) this.#attempt(pending, now);
    }
  }

  failAll(error: RemoteError): void {
    for (const pending of [...this.#pending.values()]) this.#settle(pending, error);
  }

  /** No dispatch at or below this number will be proposed again. */
  #floor(): number {
    for (const n of this.#pending.keys()) return n - 1;
    return this.#next;
  }

  #attempt(pending: Pending, now: number): void {
    const node = this.route();
    if (node === undefined) return;
    pending.lastAttempt = now;
    const envelope: DispatchEnvelope = { t: this.tab, n: pending.n, f: this.#floor(), c: pending.command };
    node.propose(envelope, { timeoutMs: Math.max(1, pending.deadline - now) }).then(
      (seq) => {
        // 0: an attempt of a dispatch settled already.
        if (seq !== 0) this.#settle(pending, { node: node.id, seq: seq as number });
      },
      (error: unknown) => {
        const remote = toRemoteError(error);
        if (!retryable.has(remote.name)) this.#settle(pending, remote);
      },
    );
  }

  #settle(pending: Pending, outcome: { node: string; seq: number } | RemoteError): void {
    if (this.#pending.get(pending.n) !== pending) return;
    this.#pending.delete(pending.n);
    pending.done(outcome);
  }
}

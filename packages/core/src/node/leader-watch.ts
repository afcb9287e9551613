/** Callers waiting for the known leader to satisfy a condition (any leader, or a transfer's target). */
import type { NodeId } from '../raft/types.ts';
import { TimeoutError } from './errors.ts';

interface LeaderWaiter {
  readonly accept: (leader: NodeId) => boolean;
  readonly resolve: (leader: NodeId) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly what: string;
}

export class LeaderWatch {
  readonly #waiters = new Set<LeaderWaiter>();

  wait(what: string, accept: (leader: NodeId) => boolean, deadline: number, timeoutMs: number): Promise<NodeId> {
    return new Promise((resolve, reject) => {
      this.#waiters.add({ accept, resolve, reject, deadline, timeoutMs, what });
    });
  }

  changed(leader: NodeId): void {
    for (const waiter of this.#waiters) {
      if (!waiter.accept(leader)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(leader);
    }
  }

  expire(now: number): void {
    for (const waiter of this.#waiters) {
      if (waiter.deadline > now) continue;
      this.#waiters.delete(waiter);
      waiter.reject(new TimeoutError(waiter.what, waiter.timeoutMs));
    }
  }

  failAll(error: Error): void {
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters.clear();
  }
}

/** Callers waiting for the known leader, or the configuration, to satisfy a condition. */
import type { ConfState, NodeId } from '../raft/types.ts';
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

interface ConfWaiter {
  readonly accept: (conf: ConfState) => boolean;
  readonly resolve: (conf: ConfState) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly what: string;
}

/** Callers waiting for the applied configuration to satisfy a condition. */
export class ConfWatch {
  readonly #waiters = new Set<ConfWaiter>();

  wait(what: string, accept: (conf: ConfState) => boolean, deadline: number, timeoutMs: number): Promise<ConfState> {
    return new Promise((resolve, reject) => {
      this.#waiters.add({ accept, resolve, reject, deadline, timeoutMs, what });
    });
  }

  changed(conf: ConfState): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of this.#waiters) {
      if (!waiter.accept(conf)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(conf);
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

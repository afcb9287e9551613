/**
 * ReadIndex bookkeeping (thesis §6.4): each request records the commit index when it
 * arrived and is answered once a quorum acknowledged a heartbeat carrying its context.
 * An acknowledgement of a later request also confirms every earlier one.
 */
import type { NodeId } from './types.ts';

export interface ReadRequest {
  readonly index: number;
  /** Who asked: this node or a follower that forwarded a `readIndex`. */
  readonly from: NodeId;
  readonly context: Uint8Array;
  readonly acks: Set<NodeId>;
  /** The leader's tick when the round was first sent: no heartbeat carrying it left earlier. */
  readonly sentTick: number;
}

export function contextKey(context: Uint8Array): string {
  let s = '';
  for (const b of context) s += b.toString(16).padStart(2, '0');
  return s;
}

export class ReadOnly {
  private readonly pending = new Map<string, ReadRequest>();
  private queue: string[] = [];

  /** False when a request with the same context is already pending. */
  add(index: number, from: NodeId, context: Uint8Array, sentTick: number): boolean {
    const key = contextKey(context);
    if (this.pending.has(key)) return false;
    this.pending.set(key, { index, from, context, acks: new Set(), sentTick });
    this.queue.push(key);
    return true;
  }

  /** Record `id`'s acknowledgement; returns the acknowledgers so far, or undefined if unknown. */
  recvAck(id: NodeId, context: Uint8Array): ReadonlySet<NodeId> | undefined {
    const request = this.pending.get(contextKey(context));
    if (request === undefined) return undefined;
    request.acks.add(id);
    return request.acks;
  }

  has(context: Uint8Array): boolean {
    return this.pending.has(contextKey(context));
  }

  /** The tick the round with `context` was first sent, or undefined if it is not pending. */
  sentTick(context: Uint8Array): number | undefined {
    return this.pending.get(contextKey(context))?.sentTick;
  }

  /** Remove and return every request up to and including the one with `context`. */
  advance(context: Uint8Array): ReadRequest[] {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: ReadRequest[] = [];
    for (const k of done) {
      const request = this.pending.get(k);
      this.pending.delete(k);
      if (request !== undefined) out.push(request);
    }
    return out;
  }

  /** Context of the latest pending request, repeated on heartbeats so a lost one is retried. */
  lastPendingContext(): Uint8Array | undefined {
    const key = this.queue[this.queue.length - 1];
    return key === undefined ? undefined : this.pending.get(key)?.context;
  }

  get size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}

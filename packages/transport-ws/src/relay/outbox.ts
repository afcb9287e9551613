/**
 * What the relay sends its clients, and how much it lets wait: frames from peers are dropped
 * while a client's queue is over `maxBufferedBytes` or the relay is at its memory budget; what
 * the relay says itself is merged (a keepalive is not answered while bytes for the client are
 * already queued; presence changes wait, the latest per peer, for room in the queue). A client
 * whose queue stays full for `stallTimeoutMs` is dropped (4104).
 */
import type { NodeId } from '@webraft/core';
import { CloseCode } from '../protocol.ts';
import { answersKeepalive, keepaliveReply, presenceEnvelope } from '../rooms/frames.ts';
import type { MemoryBudget } from './budget.ts';
import type { Drop } from './intake.ts';
import type { ResolvedRelayOptions } from './options.ts';
import type { Member } from './room.ts';
import type { RelayStats } from './stats.ts';

export class Outbox {
  /** Members with bytes queued in their socket at the last look. */
  readonly #backedUp = new Set<Member>();

  constructor(
    private readonly opts: ResolvedRelayOptions,
    private readonly stats: RelayStats,
    private readonly budget: MemoryBudget,
    private readonly drop: Drop,
  ) {}

  /** Sends a frame from a peer, unless the member's queue or the relay's budget has no room for it. */
  deliver(target: Member, frame: Uint8Array): void {
    if (target.leaving || target.socket.readyState !== target.socket.OPEN) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    // Checked before the send, so a frame larger than the bound still passes an idle socket;
    // the queue stays under maxBufferedBytes + maxFrameBytes.
    if (this.observe(target) > this.opts.maxBufferedBytes) {
      this.stats.dropped.backpressure++;
      return;
    }
    if (!this.budget.fits(frame.length)) {
      this.stats.dropped.overBudget++;
      return;
    }
    if (target.pendingPresence.size > 0) this.#flushPresence(target);
    target.socket.send(frame, { binary: true });
    this.observe(target);
    this.stats.framesForwarded++;
    this.stats.bytesForwarded += frame.length;
  }

  /** Answers a keepalive, unless `answersKeepalive` says the client has heard from the relay well enough. */
  answerKeepalive(member: Member, now: number): void {
    if (!answersKeepalive(member.keepaliveAnsweredAt, now, this.observe(member))) {
      this.stats.keepalives.merged++;
      return;
    }
    member.keepaliveAnsweredAt = now;
    member.socket.send(keepaliveReply);
    this.stats.keepalives.answered++;
    this.observe(member);
  }

  /** Tells `member` that `peer` joined or left, now or once its queue has room. */
  presence(member: Member, peer: NodeId, present: boolean): void {
    if (member.leaving) return;
    if (member.pendingPresence.size > 0 || this.observe(member) > this.opts.maxBufferedBytes) {
      member.pendingPresence.delete(peer);
      member.pendingPresence.set(peer, present);
      // Churn of made-up ids must not grow it without end: a client that far behind starts over.
      if (member.pendingPresence.size > 2 * this.opts.maxMembersPerRoom) {
        this.drop(member, CloseCode.slowConsumer, 'too far behind on presence', 'slowConsumer');
      }
      return;
    }
    member.socket.send(presenceEnvelope(peer, present));
    this.observe(member);
  }

  #flushPresence(member: Member): void {
    for (const [peer, present] of member.pendingPresence) {
      member.socket.send(presenceEnvelope(peer, present));
    }
    member.pendingPresence.clear();
    this.observe(member);
  }

  /** Reads how much is queued in the member's socket into the budget; returns it. */
  observe(member: Member): number {
    const queued = member.socket.bufferedAmount;
    if (queued !== member.queued) {
      this.budget.change('queued', queued - member.queued);
      member.queued = queued;
    }
    if (queued > 0) this.#backedUp.add(member);
    else this.#backedUp.delete(member);
    if (queued <= this.opts.maxBufferedBytes) member.roomyAt = this.opts.now();
    return queued;
  }

  /** Updates queues that drained on their own, sends presence that waited for room, drops clients whose queue stayed full. */
  sweep(now: number): void {
    for (const member of [...this.#backedUp]) {
      if (member.leaving) continue;
      const queued = this.observe(member);
      if (queued <= this.opts.maxBufferedBytes) {
        if (member.pendingPresence.size > 0) this.#flushPresence(member);
      } else if (now - member.roomyAt >= this.opts.stallTimeoutMs) {
        this.drop(member, CloseCode.slowConsumer, 'slow consumer: queue full', 'slowConsumer');
      }
    }
  }

  /** Members whose queue is over its bound, for shedding load. */
  overfull(): Member[] {
    return [...this.#backedUp].filter((m) => m.queued > this.opts.maxBufferedBytes);
  }

  /** Returns what the budget counts for `member`'s queue; called once its socket is gone. */
  forget(member: Member): void {
    this.budget.change('queued', -member.queued);
    member.queued = 0;
    this.#backedUp.delete(member);
  }
}

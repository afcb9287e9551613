/**
 * What a tab knows of the whole cluster: the latest report of every slot, heard over the
 * side BroadcastChannel (or from its own worker), and the messages sent recently. Pure: time
 * comes in as an argument, so the view and the tests ask "what is true at `now`".
 */
import type { NodeId } from '@webraft/core';
import type { LiveEvent, NodeReport, SentMessage } from './protocol.ts';

/** Gossip between tabs about their nodes; never Raft traffic. */
export type Gossip =
  | { readonly type: 'report'; readonly slot: NodeId; readonly report: NodeReport; readonly sent: readonly SentMessage[] }
  | { readonly type: 'down'; readonly slot: NodeId }
  | { readonly type: 'event'; readonly event: LiveEvent }
  | { readonly type: 'hello' };

export type SlotState = 'running' | 'crashed' | 'offline' | 'empty';

export interface SlotView {
  readonly id: NodeId;
  readonly state: SlotState;
  readonly report?: NodeReport;
}

export interface FlyingMessage extends SentMessage {
  readonly from: NodeId;
}

/** A tab not heard from for this long is shown offline (closed, or its page frozen). */
export const offlineAfterMs = 2500;
/** How long a message dot takes to cross in the picture (real delivery is much faster). */
export const flightMs = 350;

export class ClusterModel {
  #reports = new Map<NodeId, { report: NodeReport; seen: number }>();
  #down = new Map<NodeId, number>();
  #flying: FlyingMessage[] = [];
  readonly events: LiveEvent[] = [];

  constructor(readonly slots: readonly NodeId[]) {}

  hear(gossip: Gossip, now: number): void {
    switch (gossip.type) {
      case 'report':
        this.#reports.set(gossip.slot, { report: gossip.report, seen: now });
        this.#down.delete(gossip.slot);
        for (const m of gossip.sent) this.#flying.push({ ...m, from: gossip.slot, at: Math.max(m.at, now - flightMs) });
        if (this.#flying.length > 300) this.#flying.splice(0, this.#flying.length - 300);
        break;
      case 'down':
        this.#down.set(gossip.slot, now);
        break;
      case 'event':
        this.events.push(gossip.event);
        if (this.events.length > 200) this.events.splice(0, this.events.length - 200);
        break;
      case 'hello':
        break;
    }
  }

  slot(id: NodeId, now: number): SlotView {
    const heard = this.#reports.get(id);
    const downAt = this.#down.get(id);
    if (downAt !== undefined) return heard === undefined ? { id, state: 'crashed' } : { id, state: 'crashed', report: heard.report };
    if (heard === undefined) return { id, state: 'empty' };
    return { id, state: now - heard.seen > offlineAfterMs ? 'offline' : 'running', report: heard.report };
  }

  view(now: number): SlotView[] {
    return this.slots.map((id) => this.slot(id, now));
  }

  /** Messages whose dot is still on its way at `now`, with their progress in [0, 1). */
  flying(now: number): { message: FlyingMessage; progress: number }[] {
    this.#flying = this.#flying.filter((m) => now - m.at < flightMs);
    return this.#flying.map((message) => ({ message, progress: Math.max(0, (now - message.at) / flightMs) }));
  }
}

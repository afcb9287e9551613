/**
 * The simulated network: directed links that can be cut one way or both (any split,
 * asymmetric links, bridges), random loss, duplication, delay and therefore reordering.
 * A message is checked against the link both when sent and when it would arrive, so a
 * partition also swallows what was already on the wire.
 */
import type { Message, NodeId } from '@webraft/core';
import type { Random } from './random.ts';

export interface NetworkConditions {
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateRate: number;
  /** One-way delay range in virtual ms. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Probability of a long delay (up to `longDelayMs`), which reorders messages heavily. */
  readonly longDelayRate: number;
  readonly longDelayMs: number;
}

export const calmNetwork: NetworkConditions = Object.freeze({
  dropRate: 0,
  duplicateRate: 0,
  minDelayMs: 1,
  maxDelayMs: 5,
  longDelayRate: 0,
  longDelayMs: 0,
});

/** A message on the wire, as a view draws it: it travels from `sentAt` to `deliverAt`. */
export interface Packet {
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: Message;
  readonly sentAt: number;
  readonly deliverAt: number;
  readonly duplicate: boolean;
}

export class Network {
  conditions: NetworkConditions = calmNetwork;
  private readonly cut = new Set<string>();
  /** Extra one-way delay of slow links, virtual ms. */
  private readonly slow = new Map<string, number>();
  private readonly inFlight = new Map<number, Packet>();
  private nextId = 1;

  /** Counters for reports and views. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.has(`${from}>${to}`);
  }

  setLink(from: NodeId, to: NodeId, up: boolean): void {
    if (up) this.cut.delete(`${from}>${to}`);
    else this.cut.add(`${from}>${to}`);
  }

  /** Adds a fixed extra delay to one direction of a link (0 restores it). */
  setLinkDelay(from: NodeId, to: NodeId, extraMs: number): void {
    if (extraMs > 0) this.slow.set(`${from}>${to}`, extraMs);
    else this.slow.delete(`${from}>${to}`);
  }

  /** Cuts every link between different groups (both ways); nodes in no group are isolated. */
  partition(groups: readonly (readonly NodeId[])[], all: readonly NodeId[]): void {
    const groupOf = new Map<NodeId, number>();
    for (const [i, g] of groups.entries()) {
      for (const id of g) groupOf.set(id, i);
    }
    this.cut.clear();
    for (const a of all) {
      for (const b of all) {
        if (a === b) continue;
        const ga = groupOf.get(a);
        if (ga === undefined || ga !== groupOf.get(b)) this.cut.add(`${a}>${b}`);
      }
    }
  }

  /** Restores every link and its speed. */
  heal(): void {
    this.cut.clear();
    this.slow.clear();
  }

  cutLinks(): string[] {
    return [...this.cut].sort();
  }

  /** Puts a message on the wire; returns the packets to deliver (none, one, or a duplicate pair). */
  send(from: NodeId, to: NodeId, message: Message, now: number, random: Random): Packet[] {
    this.stats.sent++;
    const c = this.conditions;
    if (this.isCut(from, to) || random.chance(c.dropRate)) {
      this.stats.dropped++;
      return [];
    }
    const copies = random.chance(c.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    const out: Packet[] = [];
    for (let i = 0; i < copies; i++) {
      const delay =
        (this.slow.get(`${from}>${to}`) ?? 0) +
        (random.chance(c.longDelayRate)
          ? random.between(c.maxDelayMs, Math.max(c.maxDelayMs, c.longDelayMs))
          : random.between(c.minDelayMs, c.maxDelayMs));
      const packet: Packet = { id: this.nextId++, from, to, message, sentAt: now, deliverAt: now + delay, duplicate: i > 0 };
      this.inFlight.set(packet.id, packet);
      out.push(packet);
    }
    return out;
  }

  /** Takes a packet off the wire; returns it if it arrives, undefined if the link is now cut. */
  arrive(id: number): Packet | undefined {
    const packet = this.inFlight.get(id);
    if (packet === undefined) return undefined;
    this.inFlight.delete(id);
    if (this.isCut(packet.from, packet.to)) {
      this.stats.dropped++;
      return undefined;
    }
    this.stats.delivered++;
    return packet;
  }

  /** Removes a packet from the wire (a user dropping it in a view). */
  drop(id: number): boolean {
    const had = this.inFlight.delete(id);
    if (had) this.stats.dropped++;
    return had;
  }

  packets(): Packet[] {
    return [...this.inFlight.values()];
  }
}

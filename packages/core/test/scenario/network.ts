/**
 * The simulated network: one inbox per node, holding messages until a script delivers or
 * drops them, and partitions that cut links between groups of nodes. A cut is checked when
 * a message is delivered, so messages in flight are lost to a partition that starts before
 * they arrive (and get through if it heals first).
 */
import type { Message } from '../../src/raft/types.ts';
import { compareIds } from './format.ts';

export class Network {
  private readonly inboxes = new Map<string, Message[]>();
  /** Node → partition group; nodes in different groups cannot reach each other. */
  private groups = new Map<string, number>();

  send(msgs: readonly Message[]): void {
    for (const m of msgs) {
      const inbox = this.inboxes.get(m.to) ?? [];
      inbox.push(m);
      this.inboxes.set(m.to, inbox);
    }
  }

  /** Removes and returns the first `limit` queued messages for `to` that `pick` accepts. */
  take(to: string, pick: (m: Message) => boolean, limit = Infinity): Message[] {
    const inbox = this.inboxes.get(to) ?? [];
    const taken = inbox.filter(pick).slice(0, limit);
    this.inboxes.set(to, inbox.filter((m) => !taken.includes(m)));
    return taken;
  }

  /** Distinct senders of the messages queued for `to`, in id order. */
  senders(to: string): string[] {
    return [...new Set((this.inboxes.get(to) ?? []).map((m) => m.from))].sort(compareIds);
  }

  pending(to: string): number {
    return this.inboxes.get(to)?.length ?? 0;
  }

  /** Nodes that have (or had) an inbox, in id order. */
  addressees(): string[] {
    return [...this.inboxes.keys()].sort(compareIds);
  }

  /** Drops everything queued for `to` (it crashed, or restarted having lost it). */
  clear(to: string): void {
    this.inboxes.set(to, []);
  }

  reachable(from: string, to: string): boolean {
    return this.groups.size === 0 || this.groups.get(from) === this.groups.get(to);
  }

  /** Each group talks only within itself; nodes named in no group are isolated. */
  partition(groups: readonly (readonly string[])[], all: readonly string[]): void {
    this.groups = new Map();
    for (const [i, g] of groups.entries()) {
      for (const id of g) this.groups.set(id, i);
    }
    let next = groups.length;
    for (const id of all) if (!this.groups.has(id)) this.groups.set(id, next++);
  }

  /** Cuts `ids` off from everyone, keeping any partition already in place. */
  isolate(ids: readonly string[], all: readonly string[]): void {
    if (this.groups.size === 0) for (const id of all) this.groups.set(id, 0);
    let next = Math.max(0, ...this.groups.values()) + 1;
    for (const id of ids) this.groups.set(id, next++);
  }

  heal(): void {
    this.groups = new Map();
  }
}

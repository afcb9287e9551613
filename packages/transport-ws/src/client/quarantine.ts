/**
 * Senders whose frames keep being refused are not read for a while. A member never sends
 * frames that fail to decode or to authenticate; a stranger in the room (a relay without room
 * tokens, or a token holder who is no member) can send thousands a second, and each costs the
 * receiver a decode, an HMAC check and a report. After `maxRefused` refusals within a second,
 * the sender's frames are dropped unread for `quietMs`.
 */
import type { NodeId } from '@webraft/core';

interface Record {
  windowStart: number;
  refused: number;
  until: number;
}

export class Quarantine {
  readonly #peers = new Map<NodeId, Record>();

  constructor(
    readonly maxRefused = 32,
    readonly quietMs = 5000,
  ) {}

  /** Whether frames from `peer` are dropped unread now. */
  holds(peer: NodeId, now: number): boolean {
    const record = this.#peers.get(peer);
    return record !== undefined && now < record.until;
  }

  /** Counts a refused frame from `peer`; true when it puts the peer in quarantine. */
  refused(peer: NodeId, now: number): boolean {
    let record = this.#peers.get(peer);
    if (record === undefined || now - record.windowStart >= 1000) {
      // Ids come from the relay and could be many: forget the ones with nothing to remember.
      if (record === undefined && this.#peers.size >= 1024) this.#prune(now);
      record = { windowStart: now, refused: 0, until: record?.until ?? 0 };
      this.#peers.set(peer, record);
    }
    record.refused++;
    if (record.refused !== this.maxRefused) return false;
    record.until = now + this.quietMs;
    return true;
  }

  #prune(now: number): void {
    for (const [peer, record] of this.#peers) {
      if (now - record.windowStart >= 1000 && now >= record.until) this.#peers.delete(peer);
    }
  }
}

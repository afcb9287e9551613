import type { WebSocket } from 'ws';
import type { NodeId } from '@webraft/core';
import { FaultTable } from '../faults.ts';

/** One admitted connection: a node in a room. */
export class Member {
  /** Answered the last ping (or sent anything) since it was sent. */
  alive = true;
  /** The node id in UTF-8, stamped on every envelope the member sends. */
  readonly idBytes: Uint8Array;
  #tokens: number;
  #refilledAt: number;

  constructor(
    readonly socket: WebSocket,
    readonly room: Room,
    readonly node: NodeId,
    private readonly framesPerSecond: number,
    now: number,
  ) {
    this.idBytes = new TextEncoder().encode(node);
    this.#tokens = framesPerSecond;
    this.#refilledAt = now;
  }

  /** Takes one frame from the member's budget; false when it is spent. */
  takeToken(now: number): boolean {
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#refilledAt = now;
    this.#tokens = Math.min(this.framesPerSecond, this.#tokens + (elapsed * this.framesPerSecond) / 1000);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export class Room {
  readonly members = new Map<NodeId, Member>();

  constructor(
    readonly name: string,
    /** Kept by the relay per room name, so faults set before members join still apply. */
    readonly faults: FaultTable,
  ) {}
}

import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { NodeId } from '@webraft/core';
import type { FaultTable } from '../faults.ts';
import { PartialMessage } from './partial-message.ts';

/** One admitted connection: a node of a room, in it or waiting to take its id. */
export class Member {
  /** Answered the last ping (or sent anything) since it was sent. */
  alive = true;
  /** The node id in UTF-8, stamped on every envelope the member sends. */
  readonly idBytes: Uint8Array;
  /** Set once the member is in its room. */
  room: Room | undefined;
  /** Set once the relay decided to drop the connection: nothing more goes to it. */
  leaving = false;
  /** The bytes last seen queued in the socket (the budget counts them). */
  queued = 0;
  /** When the queue last had room for a frame (at or under `maxBufferedBytes`). */
  roomyAt: number;
  /** Presence changes waiting for room in the queue; the latest per peer. */
  readonly pendingPresence = new Map<NodeId, boolean>();
  /** When the relay last answered a keepalive from the member. */
  keepaliveAnsweredAt = -Infinity;
  /** The message being received, as far as it has come. */
  readonly incoming: PartialMessage;
  /** Its socket is paused until the relay has room for the message it announced. */
  waiting = false;
  #tokens: number;
  #refilledAt: number;
  #probe: Promise<boolean> | undefined;

  constructor(
    readonly socket: WebSocket,
    /** The TCP socket under `socket`, paused when the relay stops reading it. */
    readonly raw: Duplex,
    readonly roomName: string,
    readonly node: NodeId,
    private readonly framesPerSecond: number,
    maxFrameBytes: number,
    now: number,
  ) {
    this.idBytes = new TextEncoder().encode(node);
    this.incoming = new PartialMessage(maxFrameBytes);
    this.#tokens = framesPerSecond;
    this.#refilledAt = now;
    this.roomyAt = now;
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

  /** Pings the client; resolves true once it answers, false if it closes or `timeoutMs` passes first. */
  probe(timeoutMs: number): Promise<boolean> {
    this.#probe ??= new Promise<boolean>((resolve) => {
      const settle = (answered: boolean): void => {
        clearTimeout(timer);
        this.socket.off('pong', onPong);
        this.socket.off('close', onClose);
        this.#probe = undefined;
        resolve(answered);
      };
      const onPong = (): void => settle(true);
      const onClose = (): void => settle(false);
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.socket.on('pong', onPong);
      this.socket.on('close', onClose);
      if (this.socket.readyState !== this.socket.OPEN) return settle(false);
      this.socket.ping();
    });
    return this.#probe;
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

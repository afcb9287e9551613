import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { NodeId } from '@webraft/core';
import type { FaultTable } from '../faults.ts';
import type { RoomEvent } from './cluster/link.ts';
import { TokenBucket } from '../rooms/token-bucket.ts';
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
  /** Frames it may send (`maxFramesPerSecond`); over it they are dropped. */
  readonly frames: TokenBucket;
  /** Bytes it may send (`maxBytesPerSecond`); over it its socket is not read until paid back. */
  readonly bytes: TokenBucket;
  /** Its socket is paused until its byte budget refills. */
  throttled = false;
  #probe: Promise<boolean> | undefined;

  constructor(
    readonly socket: WebSocket,
    /** The TCP socket under `socket`, paused when the relay stops reading it. */
    readonly raw: Duplex,
    readonly roomName: string,
    readonly node: NodeId,
    limits: { readonly maxFramesPerSecond: number; readonly maxBytesPerSecond: number; readonly maxFrameBytes: number },
    now: number,
  ) {
    this.idBytes = new TextEncoder().encode(node);
    this.incoming = new PartialMessage(limits.maxFrameBytes);
    this.frames = new TokenBucket(limits.maxFramesPerSecond, now);
    this.bytes = new TokenBucket(limits.maxBytesPerSecond, now);
    this.roomyAt = now;
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
  /** Members connected to this relay. */
  readonly members = new Map<NodeId, Member>();
  /** With a cluster: members connected to other relays, each with the relay holding it. */
  readonly remote = new Map<NodeId, string>();
  /** With a cluster: the version of the room's membership `remote` reflects. */
  version = 0;
  /** With a cluster: changes that arrived before the room's membership was read, applied after it. */
  backlog: RoomEvent[] | undefined;
  /** Resolves once the room's membership is known (with a cluster: read from Redis); rejects if it cannot be. */
  synced: Promise<void> = Promise.resolve();
  /** Connections on their way in: taking their node id, or waiting for the membership. */
  joining = 0;
  /** The switchboard let go of the room (it emptied, or the relay lost Redis). */
  closed = false;

  constructor(
    readonly name: string,
    /** Kept by the relay per room name, so faults set before members join still apply. */
    readonly faults: FaultTable,
  ) {}

  /** Whether `node` is in the room, here or at another relay. */
  has(node: NodeId): boolean {
    return this.members.has(node) || this.remote.has(node);
  }

  /** Every member's node id, here and at other relays. */
  nodes(): NodeId[] {
    const nodes = [...this.members.keys()];
    for (const node of this.remote.keys()) if (!this.members.has(node)) nodes.push(node);
    return nodes;
  }
}

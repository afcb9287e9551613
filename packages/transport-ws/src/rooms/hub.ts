/**
 * One room of a relay on a runtime that hands the relay whole WebSocket messages through the
 * standard WebSocket API (a Cloudflare Durable Object, Deno): its members by node id, who is
 * told of whom, where a frame goes. No Node API: the runtime brings the sockets and says when
 * one speaks or closes. Admission comes first (`admission.ts`); what a frame is worth is
 * decided by `frames.ts` and the node id rule by `takeover.ts`, as in the Node relay.
 *
 * Such runtimes neither let the relay stop reading a socket nor send pings of its own, so a
 * sender over its byte rate has its frames dropped (instead of being read more slowly), and a
 * connection holding a node id keeps it by sending anything in time.
 */
import type { NodeId } from '@webraft/core';
import { CloseCode } from '../protocol.ts';
import { answersKeepalive, keepaliveReply, presenceEnvelope, readClientFrame, welcomeEnvelope } from './frames.ts';
import type { RoomLimits } from './options.ts';
import { countRefusal, type RoomRelayStats } from './stats.ts';
import { contestNodeId } from './takeover.ts';
import { TokenBucket } from './token-bucket.ts';

/** The part of a server-side WebSocket the hub uses: workerd's and Deno's fit. */
export interface HubSocket {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued to the client, where the runtime reports them. */
  readonly bufferedAmount?: number;
}

export interface HubEvents<Socket> {
  /** `socket` entered the room as `node` (a Durable Object writes it into the socket's attachment here). */
  entered?(socket: Socket, node: NodeId): void;
  /**
   * `socket` lost its node id to a newer connection and is out of the room: tell it (4009).
   * @default closes it at once with 4009
   */
  replaced?(socket: Socket): void;
}

/** Why a connection may not enter its room: the close code to refuse it with. */
export interface Refusal {
  readonly code: CloseCode;
  readonly reason: string;
}

class HubMember<Socket extends HubSocket> {
  readonly idBytes: Uint8Array;
  readonly frames: TokenBucket;
  readonly bytes: TokenBucket;
  /** The relay closed it, or the runtime said it closed: nothing more goes to it. */
  leaving = false;
  keepaliveAnsweredAt = -Infinity;
  readonly #waiting = new Set<(heard: boolean) => void>();

  constructor(
    readonly socket: Socket,
    readonly node: NodeId,
    limits: RoomLimits,
    now: number,
  ) {
    this.idBytes = new TextEncoder().encode(node);
    this.frames = new TokenBucket(limits.maxFramesPerSecond, now);
    this.bytes = new TokenBucket(limits.maxBytesPerSecond, now);
  }

  /** Resolves true once the member sends anything, false if it goes or `timeoutMs` passes first. */
  nextWord(timeoutMs: number): Promise<boolean> {
    if (this.leaving) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (heard: boolean): void => {
        clearTimeout(timer);
        this.#waiting.delete(settle);
        resolve(heard);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.#waiting.add(settle);
    });
  }

  heard(): void {
    for (const settle of [...this.#waiting]) settle(true);
  }

  gone(): void {
    this.leaving = true;
    for (const settle of [...this.#waiting]) settle(false);
  }
}

export class RoomHub<Socket extends HubSocket> {
  /** Members in the room, by node id. */
  readonly #members = new Map<NodeId, HubMember<Socket>>();
  /** The same members, by socket. */
  readonly #sockets = new Map<Socket, HubMember<Socket>>();

  constructor(
    private readonly limits: RoomLimits,
    private readonly stats: RoomRelayStats,
    private readonly now: () => number = Date.now,
    private readonly events: HubEvents<Socket> = {},
  ) {}

  /** Node ids in the room. */
  nodes(): NodeId[] {
    return [...this.#members.keys()];
  }

  /** Takes back a socket that was in the room before the relay's state was lost (a Durable Object woken from hibernation). */
  restore(socket: Socket, node: NodeId): void {
    if (this.#sockets.has(socket)) return;
    if (this.#members.has(node)) {
      closeQuietly(socket, CloseCode.replaced, 'replaced by a newer connection');
      return;
    }
    const member = new HubMember(socket, node, this.limits, this.now());
    this.#sockets.set(socket, member);
    this.#members.set(node, member);
  }

  /**
   * Whether an admitted connection for `node` may enter the room: the node id is taken from a
   * holder that shows no sign of life within `takeoverProbeMs` (see `takeover.ts`), and the
   * room must have space. Resolves with the refusal (counted) or undefined; then, with no
   * `await` between, {@link enter} the connection. `abandoned` says the newcomer went away
   * meanwhile (it is then refused with `goingAway`, uncounted).
   */
  async claim(node: NodeId, abandoned: () => boolean = () => false): Promise<Refusal | undefined> {
    const contest = await contestNodeId({
      holder: () => this.#members.get(node),
      probe: (holder) => holder.nextWord(this.limits.takeoverProbeMs),
      replace: (holder) => {
        this.stats.disconnected.replaced++;
        this.#forget(holder);
        if (this.events.replaced !== undefined) this.events.replaced(holder.socket);
        else closeQuietly(holder.socket, CloseCode.replaced, 'replaced by a newer connection');
      },
      abandoned,
    });
    if (contest === 'abandoned') return { code: CloseCode.goingAway, reason: 'gone' };
    if (contest === 'inUse') return this.#refusal(CloseCode.nodeIdInUse, 'node id in use by a live connection');
    if (this.#members.size >= this.limits.maxMembersPerRoom) return this.#refusal(CloseCode.roomFull, 'room full');
    return undefined;
  }

  /** Puts a connection {@link claim} let in into the room: the welcome lists the others, who learn it is there. */
  enter(socket: Socket, node: NodeId): void {
    const member = new HubMember(socket, node, this.limits, this.now());
    const others = this.nodes();
    this.#sockets.set(socket, member);
    this.#members.set(node, member);
    this.events.entered?.(socket, node);
    this.#send(member, welcomeEnvelope(others));
    for (const other of this.#members.values()) if (other !== member) this.#send(other, presenceEnvelope(node, true));
  }

  /** A message from `socket`: binary as an ArrayBuffer or a view, text as a string. */
  message(socket: Socket, data: ArrayBuffer | ArrayBufferView | string): void {
    const member = this.#sockets.get(socket);
    if (member === undefined || member.leaving) return;
    member.heard();
    const stats = this.stats;
    if (typeof data === 'string') {
      stats.rejected.malformed++;
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > this.limits.maxFrameBytes) {
      stats.rejected.oversized++;
      this.#close(member, CloseCode.tooBig, 'frame too big');
      return;
    }
    const now = this.now();
    if (!member.bytes.take(now, bytes.length)) {
      stats.dropped.rateLimited++;
      return;
    }
    const verdict = readClientFrame(bytes, member, (node) => this.#members.has(node), now);
    if (verdict.action === 'keepalive') return this.#answerKeepalive(member, now);
    if (verdict.action === 'drop') {
      if (verdict.cause === 'malformed') stats.rejected.malformed++;
      // Without a fault table nothing is cut by a fault.
      else if (verdict.cause !== 'fault') stats.dropped[verdict.cause]++;
      return;
    }
    this.#deliver(this.#members.get(verdict.to)!, verdict.frame);
  }

  /** The runtime says `socket` closed (or failed). */
  closed(socket: Socket): void {
    const member = this.#sockets.get(socket);
    if (member === undefined) return;
    this.#forget(member);
  }

  /** Closes every connection (the relay is shutting down). */
  closeAll(code: number, reason: string): void {
    for (const member of [...this.#sockets.values()]) this.#close(member, code, reason);
  }

  #deliver(target: HubMember<Socket>, frame: Uint8Array): void {
    if (target.leaving) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    if ((target.socket.bufferedAmount ?? 0) > this.limits.maxBufferedBytes) {
      this.stats.dropped.backpressure++;
      return;
    }
    if (!this.#send(target, frame)) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    this.stats.framesForwarded++;
    this.stats.bytesForwarded += frame.length;
  }

  #answerKeepalive(member: HubMember<Socket>, now: number): void {
    if (!answersKeepalive(member.keepaliveAnsweredAt, now, member.socket.bufferedAmount ?? 0)) {
      this.stats.keepalives.merged++;
      return;
    }
    member.keepaliveAnsweredAt = now;
    this.#send(member, keepaliveReply);
    this.stats.keepalives.answered++;
  }

  /** Sends unless the socket is closing (the runtimes throw then); false when it did not. */
  #send(member: HubMember<Socket>, bytes: Uint8Array): boolean {
    try {
      member.socket.send(bytes);
      return true;
    } catch {
      return false;
    }
  }

  #refusal(code: CloseCode, reason: string): Refusal {
    countRefusal(this.stats.rejected, code);
    return { code, reason };
  }

  #close(member: HubMember<Socket>, code: number, reason: string): void {
    if (member.leaving) return;
    this.#forget(member);
    closeQuietly(member.socket, code, reason);
  }

  /** Takes the member out of the room and tells the others. */
  #forget(member: HubMember<Socket>): void {
    this.#sockets.delete(member.socket);
    member.gone();
    if (this.#members.get(member.node) !== member) return;
    this.#members.delete(member.node);
    for (const other of this.#members.values()) this.#send(other, presenceEnvelope(member.node, false));
  }
}

/** Closes, ignoring a socket that is already closing. */
export function closeQuietly(socket: HubSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Closed already: nothing to tell it.
  }
}

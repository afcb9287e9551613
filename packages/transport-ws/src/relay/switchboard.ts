/**
 * Rooms, their members, and the frames between them. Everything sent to a client is bounded:
 * frames from peers are dropped while its queue is over `maxBufferedBytes` or the relay is at
 * its memory budget; what the relay says itself is merged (a keepalive is not answered while
 * bytes for the client are already queued; presence changes wait, the latest per peer, for
 * room in the queue). A client whose queue stays full, or whose message stays incomplete, for
 * `stallTimeoutMs` is disconnected with a code saying so.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { NodeId } from '@webraft/core';
import { CloseCode, decodeEnvelope, encodeEnvelope, EnvelopeError, EnvelopeKind, readdressEnvelope } from '../protocol.ts';
import type { MemoryBudget } from './budget.ts';
import type { FaultRegistry } from './fault-registry.ts';
import type { ResolvedRelayOptions } from './options.ts';
import { Member, Room } from './room.ts';
import type { RelayStats } from './stats.ts';

const keepaliveReply = encodeEnvelope(EnvelopeKind.keepalive, '', new Uint8Array(0));
/** How long a refused or dropped client gets to read its close frame before the socket is cut. */
const closeGraceMs = 1000;
/**
 * Keepalives within this long of the last reply get none of their own: a client asks only
 * after `keepAliveMs` of silence (tests use 50 ms), so one asking faster is flooding.
 */
const keepaliveReplyMs = 20;
/** A message that got no bytes for this long, while others wait for room, is dropped to make it. */
const stalledMessageMs = 1000;

/**
 * Closes with `code`: the close frame goes out after whatever is queued, then the TCP stream
 * ends (a FIN, so a client that reads gets everything and the code), and the socket is cut
 * after `graceMs` in any case. Nothing more is read from the client: what it still sends
 * stays in the network, not in the relay's memory.
 */
export function closeGracefully(ws: WebSocket, raw: Duplex, code: number, reason: string, graceMs: number): void {
  raw.pause();
  raw.removeAllListeners('data');
  if (ws.readyState === ws.OPEN) ws.close(code, reason);
  raw.end();
  const timer = setTimeout(() => ws.terminate(), graceMs);
  timer.unref();
  raw.once('close', () => clearTimeout(timer));
}

export class Switchboard {
  readonly rooms = new Map<string, Room>();
  /** Admitted connections, in a room or waiting to take their node id. */
  readonly members = new Set<Member>();
  /** Members with bytes queued in their socket at the last look. */
  readonly #backedUp = new Set<Member>();
  /** Members in the middle of receiving a message. */
  readonly #receiving = new Set<Member>();
  /** Members not read until the budget has room for the message they announced. */
  readonly #waiting = new Set<Member>();
  #delayed = 0;
  #closed = false;

  constructor(
    private readonly opts: ResolvedRelayOptions,
    private readonly stats: RelayStats,
    private readonly budget: MemoryBudget,
    private readonly faults: FaultRegistry,
  ) {}

  /** Takes an admitted connection: it joins its room once its node id is free. */
  admit(ws: WebSocket, raw: Duplex, roomName: string, node: NodeId, release: () => void): void {
    const member = new Member(ws, raw, roomName, node, this.opts, this.opts.now());
    this.members.add(member);
    // Before `ws` reads the chunk, so the budget sees a message grow before `ws` holds it.
    raw.prependListener('data', (chunk: Buffer) => this.#onChunk(member, chunk));
    raw.once('close', () => {
      release();
      this.#forget(member);
    });
    ws.on('message', (data, isBinary) => this.#onFrame(member, data as Buffer, isBinary));
    ws.on('pong', () => (member.alive = true));
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.stats.rejected.oversized++;
    });
    ws.on('close', () => this.#leave(member));
    void this.#join(member, release);
  }

  async #join(member: Member, release: () => void): Promise<void> {
    for (;;) {
      const holder = this.rooms.get(member.roomName)?.members.get(member.node);
      if (holder === undefined) break;
      const answered = await holder.probe(this.opts.takeoverProbeMs);
      if (member.leaving || this.#closed || member.socket.readyState !== member.socket.OPEN) return;
      if (holder.room?.members.get(member.node) !== holder) continue;
      if (answered) return this.refuse(member, CloseCode.nodeIdInUse, 'node id in use by a live connection', release);
      this.drop(holder, CloseCode.replaced, 'replaced by a newer connection', 'replaced');
    }
    let room = this.rooms.get(member.roomName);
    if (room === undefined) {
      if (this.rooms.size >= this.opts.maxRooms) return this.refuse(member, CloseCode.tooManyRooms, 'too many rooms', release);
      room = new Room(member.roomName, this.faults.table(member.roomName));
      this.rooms.set(member.roomName, room);
    } else if (room.members.size >= this.opts.maxMembersPerRoom) {
      return this.refuse(member, CloseCode.roomFull, 'room full', release);
    }
    const others = [...room.members.keys()];
    room.members.set(member.node, member);
    member.room = room;
    member.socket.send(encodeEnvelope(EnvelopeKind.welcome, '', new TextEncoder().encode(JSON.stringify(others))));
    this.#observe(member);
    for (const other of room.members.values()) if (other !== member) this.#sendPresence(other, member.node, true);
  }

  /** Refuses a connection after its handshake: its slot is free at once, the socket goes after a grace. */
  refuse(member: Member, code: CloseCode, reason: string, release: () => void): void {
    const r = this.stats.rejected;
    if (code === CloseCode.tooManyRooms) r.tooManyRooms++;
    else if (code === CloseCode.roomFull) r.roomFull++;
    else if (code === CloseCode.nodeIdInUse) r.nodeIdInUse++;
    release();
    this.#close(member, code, reason, closeGraceMs);
  }

  /** Disconnects an admitted member, counted under `cause`. */
  drop(member: Member, code: CloseCode, reason: string, cause: keyof RelayStats['disconnected']): void {
    if (member.leaving) return;
    this.stats.disconnected[cause]++;
    // Memory first: a client dropped for the budget loses its socket at once (and may miss the code).
    this.#close(member, code, reason, cause === 'overBudget' ? 0 : closeGraceMs);
  }

  #close(member: Member, code: CloseCode, reason: string, graceMs: number): void {
    if (member.leaving) return;
    member.leaving = true;
    this.#remove(member);
    if (graceMs > 0) return closeGracefully(member.socket, member.raw, code, reason, graceMs);
    if (member.socket.readyState === member.socket.OPEN) member.socket.close(code, reason);
    member.socket.terminate();
    this.#forget(member);
  }

  /** Returns what the budget counts for `member`; called once it is gone or its socket is cut. */
  #forget(member: Member): void {
    this.budget.change('incoming', -member.incoming.held);
    member.incoming.held = 0;
    this.#receiving.delete(member);
    this.#waiting.delete(member);
    this.budget.change('queued', -member.queued);
    member.queued = 0;
    this.#backedUp.delete(member);
  }

  #leave(member: Member): void {
    this.#remove(member);
    this.members.delete(member);
    const room = member.room;
    if (room !== undefined && room.members.size === 0 && this.rooms.get(room.name) === room) {
      this.rooms.delete(room.name);
      this.faults.release(room.name);
    }
  }

  /** Takes `member` out of its room and tells the others; the room itself stays. */
  #remove(member: Member): void {
    const room = member.room;
    if (room === undefined || room.members.get(member.node) !== member) return;
    room.members.delete(member.node);
    for (const other of room.members.values()) this.#sendPresence(other, member.node, false);
  }

  #onChunk(member: Member, chunk: Buffer): void {
    if (member.leaving) return;
    const now = this.opts.now();
    const delta = member.incoming.read(chunk, now);
    if (delta !== 0) {
      this.budget.change('incoming', delta);
      if (member.incoming.held > 0) this.#receiving.add(member);
      else this.#receiving.delete(member);
    }
    if (this.budget.over && member.incoming.unread > 0) this.#wait(member);
    const debtMs = member.bytes.spend(chunk.length, now);
    if (debtMs > 0 && !member.throttled) this.#throttle(member, debtMs);
  }

  /**
   * Stops reading a member that sent more than `maxBytesPerSecond` until its budget is back:
   * the network holds its bytes back, and the relay spends nothing on them meanwhile.
   */
  #throttle(member: Member, ms: number): void {
    this.stats.throttled++;
    member.throttled = true;
    member.socket.pause();
    setTimeout(() => {
      member.throttled = false;
      if (!member.waiting && !member.leaving) member.socket.resume();
    }, ms).unref();
  }

  /**
   * Stops reading a member whose message announced more than the budget has room for: its
   * bytes wait in the network, not here. Reading resumes once there is room.
   */
  #wait(member: Member): void {
    this.budget.change('incoming', -member.incoming.setAside());
    member.waiting = true;
    member.socket.pause();
    this.#waiting.add(member);
    this.#makeRoom();
  }

  /**
   * Makes room for waiting members, the smallest message first: drops the connections whose
   * message stalled (nothing read for a second) — they hold memory without using it — then
   * resumes the waiting members that fit.
   */
  #makeRoom(): void {
    if (this.#waiting.size === 0) return;
    const waiting = [...this.#waiting].sort((a, b) => a.incoming.unread - b.incoming.unread);
    const stalledBefore = this.opts.now() - stalledMessageMs;
    const stalled = [...this.#receiving]
      .filter((m) => !m.waiting && !m.leaving && m.incoming.progressAt <= stalledBefore)
      .sort((a, b) => a.incoming.progressAt - b.incoming.progressAt);
    for (const member of waiting) {
      if (member.leaving) continue;
      while (!this.budget.fits(member.incoming.unread) && stalled.length > 0) {
        this.drop(stalled.shift()!, CloseCode.overloaded, 'relay over its memory budget', 'overBudget');
      }
      if (!this.budget.fits(member.incoming.unread)) return;
      this.#waiting.delete(member);
      member.waiting = false;
      this.budget.change('incoming', member.incoming.takeBack());
      if (!member.throttled) member.socket.resume();
    }
  }

  #onFrame(member: Member, data: Buffer, isBinary: boolean): void {
    member.alive = true;
    const room = member.room;
    if (room === undefined || member.leaving) return;
    if (!isBinary) {
      this.stats.rejected.malformed++;
      return;
    }
    const now = this.opts.now();
    if (!member.frames.take(now)) {
      this.stats.dropped.rateLimited++;
      return;
    }
    let envelope;
    try {
      envelope = decodeEnvelope(data);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      this.stats.rejected.malformed++;
      return;
    }
    if (envelope.kind === EnvelopeKind.keepalive) return this.#answerKeepalive(member, now);
    if (envelope.kind !== EnvelopeKind.data && envelope.kind !== EnvelopeKind.batch && envelope.kind !== EnvelopeKind.signal) {
      this.stats.rejected.malformed++;
      return;
    }
    const to = envelope.peer;
    if (to === member.node || !room.members.has(to)) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    const verdict = room.faults.decide(member.node, to);
    if (verdict.drop) {
      this.stats.dropped.fault++;
      return;
    }
    const frame = readdressEnvelope(data, envelope, member.idBytes);
    if (verdict.delayMs === 0) return this.#deliver(room, to, frame);
    if (this.#delayed >= this.opts.maxDelayedFrames) {
      this.stats.dropped.delayQueueFull++;
      return;
    }
    if (!this.budget.fits(frame.length)) {
      this.stats.dropped.overBudget++;
      return;
    }
    this.#delayed++;
    this.budget.change('delayed', frame.length);
    setTimeout(() => {
      this.#delayed--;
      this.budget.change('delayed', -frame.length);
      if (!this.#closed) this.#deliver(room, to, frame);
    }, verdict.delayMs).unref();
  }

  /**
   * Any bytes already queued for the client tell it the relay is there as well as a reply
   * would, and so does a reply sent moments ago: a flood of keepalives gets at most 50 replies a second.
   */
  #answerKeepalive(member: Member, now: number): void {
    if (now - member.keepaliveAnsweredAt < keepaliveReplyMs || this.#observe(member) > 0) {
      this.stats.keepalives.merged++;
      return;
    }
    member.keepaliveAnsweredAt = now;
    member.socket.send(keepaliveReply);
    this.stats.keepalives.answered++;
    this.#observe(member);
  }

  #deliver(room: Room, to: NodeId, frame: Uint8Array): void {
    const target = room.members.get(to);
    if (target === undefined || target.leaving || target.socket.readyState !== target.socket.OPEN) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    // Checked before the send, so a frame larger than the bound still passes an idle socket;
    // the queue stays under maxBufferedBytes + maxFrameBytes.
    if (this.#observe(target) > this.opts.maxBufferedBytes) {
      this.stats.dropped.backpressure++;
      return;
    }
    if (!this.budget.fits(frame.length)) {
      this.stats.dropped.overBudget++;
      return;
    }
    if (target.pendingPresence.size > 0) this.#flushPresence(target);
    target.socket.send(frame, { binary: true });
    this.#observe(target);
    this.stats.framesForwarded++;
    this.stats.bytesForwarded += frame.length;
  }

  #sendPresence(member: Member, peer: NodeId, present: boolean): void {
    if (member.leaving) return;
    if (member.pendingPresence.size > 0 || this.#observe(member) > this.opts.maxBufferedBytes) {
      member.pendingPresence.delete(peer);
      member.pendingPresence.set(peer, present);
      // Churn of made-up ids must not grow it without end: a client that far behind starts over.
      if (member.pendingPresence.size > 2 * this.opts.maxMembersPerRoom) {
        this.drop(member, CloseCode.slowConsumer, 'too far behind on presence', 'slowConsumer');
      }
      return;
    }
    member.socket.send(encodeEnvelope(EnvelopeKind.presence, peer, Uint8Array.of(present ? 1 : 0)));
    this.#observe(member);
  }

  #flushPresence(member: Member): void {
    for (const [peer, present] of member.pendingPresence) {
      member.socket.send(encodeEnvelope(EnvelopeKind.presence, peer, Uint8Array.of(present ? 1 : 0)));
    }
    member.pendingPresence.clear();
    this.#observe(member);
  }

  /** Reads how much is queued in the member's socket into the budget; returns it. */
  #observe(member: Member): number {
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

  /**
   * Runs often: updates queues that drained on their own, sends presence that waited for
   * room, and disconnects clients that stalled: a queue full for `stallTimeoutMs`, a message
   * incomplete for as long.
   */
  sweep(): void {
    const now = this.opts.now();
    for (const member of [...this.#backedUp]) {
      if (member.leaving) continue;
      const queued = this.#observe(member);
      if (queued <= this.opts.maxBufferedBytes) {
        if (member.pendingPresence.size > 0) this.#flushPresence(member);
      } else if (now - member.roomyAt >= this.opts.stallTimeoutMs) {
        this.drop(member, CloseCode.slowConsumer, 'slow consumer: queue full', 'slowConsumer');
      }
    }
    for (const member of [...this.#receiving]) {
      if (!member.leaving && now - member.incoming.since >= this.opts.stallTimeoutMs) {
        this.drop(member, CloseCode.slowSender, 'slow sender: message incomplete', 'slowSender');
      }
    }
    this.#makeRoom();
    if (this.budget.over) this.#shed();
  }

  /**
   * Brings the relay back under its memory budget, to a tenth of its room below it: drops
   * the connections holding the most (a message partly received, a queue over its bound)
   * first. They are the ones an attack fills; a client that reads and writes at pace holds little.
   */
  #shed(): void {
    const lowWater = this.budget.limit - (this.budget.limit - this.budget.base) / 10;
    const heavy = [...this.#receiving, ...[...this.#backedUp].filter((m) => m.queued > this.opts.maxBufferedBytes)];
    const held = (m: Member): number => m.incoming.held + m.queued;
    heavy.sort((a, b) => held(b) - held(a));
    for (const member of heavy) {
      if (this.budget.used <= lowWater) return;
      if (!member.leaving) this.drop(member, CloseCode.overloaded, 'relay over its memory budget', 'overBudget');
    }
  }

  /** Drops members that missed the last ping, and pings the others. */
  ping(): void {
    for (const member of this.members) {
      // A member the relay stopped reading cannot answer; `stallTimeoutMs` bounds its wait.
      if (member.leaving || member.waiting || member.throttled) continue;
      if (!member.alive) {
        this.stats.disconnected.unresponsive++;
        member.leaving = true;
        this.#remove(member);
        member.socket.terminate();
        continue;
      }
      member.alive = false;
      if (member.socket.readyState === member.socket.OPEN) member.socket.ping();
    }
  }

  close(): void {
    this.#closed = true;
  }
}

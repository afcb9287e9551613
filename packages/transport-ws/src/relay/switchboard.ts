/**
 * Rooms, their members, and the frames between them: who may take a node id, who is told of
 * whom, where a frame goes. What the relay reads from clients is paced by `Intake`, what it
 * sends them is bounded by `Outbox`.
 *
 * With a cluster (Redis), a room's members may be connected to other relays: the room's
 * membership is read from Redis and followed through its changes, a node id is taken in Redis
 * (a live holder at another relay is probed there, as one here would be), and frames for a
 * member of another relay go to that relay.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { NodeId } from '@webraft/core';
import { CloseCode } from '../protocol.ts';
import { readClientFrame, welcomeEnvelope } from '../rooms/frames.ts';
import { contestNodeId } from '../rooms/takeover.ts';
import type { MemoryBudget } from './budget.ts';
import { ClusterUnavailableError, type ClusterHandler, type ClusterLink, type RoomEvent } from './cluster/link.ts';
import type { FaultRegistry } from './fault-registry.ts';
import { Intake, type Drop } from './intake.ts';
import type { ResolvedRelayOptions } from './options.ts';
import { Outbox } from './outbox.ts';
import { Member, Room } from './room.ts';
import type { RelayStats } from './stats.ts';

/** How long a refused or dropped client gets to read its close frame before the socket is cut. */
const closeGraceMs = 1000;

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

export class Switchboard implements ClusterHandler {
  readonly rooms = new Map<string, Room>();
  /** Admitted connections, in a room or waiting to take their node id. */
  readonly members = new Set<Member>();
  /** With `redis`: the other relays sharing rooms with this one. Set once, before the relay takes connections. */
  cluster: ClusterLink | undefined;
  readonly #intake: Intake;
  readonly #outbox: Outbox;
  #delayed = 0;
  #closed = false;

  constructor(
    private readonly opts: ResolvedRelayOptions,
    private readonly stats: RelayStats,
    private readonly budget: MemoryBudget,
    private readonly faults: FaultRegistry,
  ) {
    const drop: Drop = (member, code, reason, cause) => this.drop(member, code, reason, cause);
    this.#intake = new Intake(opts, stats, budget, drop);
    this.#outbox = new Outbox(opts, stats, budget, drop);
  }

  /** Takes an admitted connection: it joins its room once its node id is free. */
  admit(ws: WebSocket, raw: Duplex, roomName: string, node: NodeId, release: () => void): void {
    const member = new Member(ws, raw, roomName, node, this.opts, this.opts.now());
    this.members.add(member);
    // Before `ws` reads the chunk, so the budget sees a message grow before `ws` holds it.
    raw.prependListener('data', (chunk: Buffer) => this.#intake.chunk(member, chunk));
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
    if (this.cluster !== undefined && !this.cluster.attached) {
      return this.refuse(member, CloseCode.clusterUnavailable, 'relay not connected to Redis', release);
    }
    let room = this.rooms.get(member.roomName);
    if (room === undefined) {
      if (this.rooms.size >= this.opts.maxRooms) return this.refuse(member, CloseCode.tooManyRooms, 'too many rooms', release);
      room = this.#openRoom(member.roomName);
    }
    room.joining++;
    try {
      await room.synced;
      if (await this.#takeId(member, room, release)) this.#enter(member, room, release);
    } catch (error) {
      if (!(error instanceof ClusterUnavailableError)) throw error;
      if (!this.#abandoned(member, room)) this.refuse(member, CloseCode.clusterUnavailable, 'relay not connected to Redis', release);
    } finally {
      room.joining--;
      this.#closeIfEmpty(room);
    }
  }

  /**
   * Takes the member's node id in its room, from a holder that misses a ping (here, or at
   * another relay); true once it is the member's. A holder that answers keeps it: the member
   * is refused (4106).
   */
  async #takeId(member: Member, room: Room, release: () => void): Promise<boolean> {
    let takeFrom: string | undefined;
    for (;;) {
      const local = await contestNodeId({
        holder: () => room.members.get(member.node),
        probe: (holder) => holder.probe(this.opts.takeoverProbeMs),
        replace: (holder) => this.drop(holder, CloseCode.replaced, 'replaced by a newer connection', 'replaced'),
        abandoned: () => this.#abandoned(member, room),
      });
      if (local === 'abandoned') return false;
      if (local === 'inUse') return this.#refused(member, CloseCode.nodeIdInUse, 'node id in use by a live connection', release);
      const cluster = this.cluster;
      if (cluster === undefined) return true;
      const claim = await cluster.claim(room.name, member.node, this.opts.maxMembersPerRoom, takeFrom);
      if (this.#abandoned(member, room)) {
        if (claim.outcome === 'claimed' && !room.members.has(member.node)) cluster.release(room.name, member.node);
        return false;
      }
      if (claim.outcome === 'full') return this.#refused(member, CloseCode.roomFull, 'room full', release);
      if (claim.outcome === 'held') {
        const answered = await cluster.probe(claim.relay, room.name, member.node, this.opts.takeoverProbeMs);
        if (this.#abandoned(member, room)) return false;
        if (answered) return this.#refused(member, CloseCode.nodeIdInUse, 'node id in use by a live connection at another relay', release);
        takeFrom = claim.relay;
        continue;
      }
      // Taken from this relay again since (another connection here, or one at another relay): start over.
      if (room.members.has(member.node) || (room.version >= claim.version && room.remote.has(member.node))) continue;
      return true;
    }
  }

  #refused(member: Member, code: CloseCode, reason: string, release: () => void): false {
    this.refuse(member, code, reason, release);
    return false;
  }

  #abandoned(member: Member, room: Room): boolean {
    return member.leaving || this.#closed || room.closed || member.socket.readyState !== member.socket.OPEN;
  }

  /** Puts the member in its room: the welcome lists the others, who learn it is there. */
  #enter(member: Member, room: Room, release: () => void): void {
    if (this.cluster === undefined && room.members.size >= this.opts.maxMembersPerRoom) {
      return this.refuse(member, CloseCode.roomFull, 'room full', release);
    }
    room.remote.delete(member.node);
    const others = room.nodes();
    room.members.set(member.node, member);
    member.room = room;
    member.socket.send(welcomeEnvelope(others));
    this.#outbox.observe(member);
    for (const other of room.members.values()) if (other !== member) this.#outbox.presence(other, member.node, true);
  }

  #openRoom(name: string): Room {
    const room = new Room(name, this.faults.table(name));
    this.rooms.set(name, room);
    const cluster = this.cluster;
    if (cluster === undefined) return room;
    room.backlog = [];
    room.synced = cluster.watch(name).then((snapshot) => {
      const backlog = room.backlog ?? [];
      room.backlog = undefined;
      if (room.closed) return;
      room.version = snapshot.version;
      for (const [node, relay] of snapshot.members) if (relay !== cluster.relayId) room.remote.set(node, relay);
      for (const event of backlog) this.#apply(room, event);
    });
    // Joiners see the failure; nobody else waits on it.
    room.synced.catch(() => undefined);
    return room;
  }

  /** Lets go of a room nobody is in or on the way into. */
  #closeIfEmpty(room: Room): void {
    if (room.members.size > 0 || room.joining > 0 || this.rooms.get(room.name) !== room) return;
    this.rooms.delete(room.name);
    room.closed = true;
    this.faults.release(room.name);
    this.cluster?.unwatch(room.name);
  }

  roomEvent(name: string, event: RoomEvent): void {
    const room = this.rooms.get(name);
    if (room === undefined) return;
    if (room.backlog !== undefined) room.backlog.push(event);
    else this.#apply(room, event);
  }

  /**
   * A change to the room at another relay (or this one's own, coming back). A member here
   * whose node id another relay took is dropped (4009), as a holder here would be.
   */
  #apply(room: Room, event: RoomEvent): void {
    if (event.version <= room.version) return;
    room.version = event.version;
    const { node, relay } = event;
    if (relay === this.cluster?.relayId) {
      if (event.kind === 'join') room.remote.delete(node);
      return;
    }
    if (event.kind === 'leave') {
      if (room.remote.get(node) !== relay) return;
      room.remote.delete(node);
      if (!room.members.has(node)) for (const other of room.members.values()) this.#outbox.presence(other, node, false);
      return;
    }
    const local = room.members.get(node);
    if (local !== undefined) this.drop(local, CloseCode.replaced, 'replaced by a newer connection at another relay', 'replaced');
    const present = room.has(node);
    room.remote.set(node, relay);
    if (!present) for (const other of room.members.values()) this.#outbox.presence(other, node, true);
  }

  async probe(name: string, node: NodeId): Promise<boolean> {
    const holder = this.rooms.get(name)?.members.get(node);
    if (holder === undefined) return false;
    const answered = await holder.probe(this.opts.takeoverProbeMs);
    if (!answered && holder.room?.members.get(node) === holder) this.drop(holder, CloseCode.replaced, 'replaced by a newer connection at another relay', 'replaced');
    return answered;
  }

  frame(name: string, to: NodeId, frame: Uint8Array): void {
    const target = this.rooms.get(name)?.members.get(to);
    if (target === undefined) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    this.#outbox.deliver(target, frame);
  }

  remoteRelays(): Map<string, string[]> {
    const relays = new Map<string, string[]>();
    for (const room of this.rooms.values()) {
      for (const relay of new Set(room.remote.values())) {
        const rooms = relays.get(relay);
        if (rooms === undefined) relays.set(relay, [room.name]);
        else rooms.push(room.name);
      }
    }
    return relays;
  }

  /** Without Redis the relay cannot tell who else is in its rooms: everyone here is closed (4108) and rooms start afresh. */
  detached(reason: string): void {
    for (const room of this.rooms.values()) {
      room.closed = true;
      this.faults.release(room.name);
    }
    this.rooms.clear();
    for (const member of [...this.members]) this.drop(member, CloseCode.clusterUnavailable, reason, 'clusterUnavailable');
  }

  /** Refuses a connection after its handshake: its slot is free at once, the socket goes after a grace. */
  refuse(member: Member, code: CloseCode, reason: string, release: () => void): void {
    const r = this.stats.rejected;
    if (code === CloseCode.tooManyRooms) r.tooManyRooms++;
    else if (code === CloseCode.roomFull) r.roomFull++;
    else if (code === CloseCode.nodeIdInUse) r.nodeIdInUse++;
    else if (code === CloseCode.clusterUnavailable) r.clusterUnavailable++;
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
    this.#intake.forget(member);
    this.#outbox.forget(member);
  }

  #leave(member: Member): void {
    this.#remove(member);
    this.members.delete(member);
    if (member.room !== undefined) this.#closeIfEmpty(member.room);
  }

  /** Takes `member` out of its room and tells the others; the room itself stays. */
  #remove(member: Member): void {
    const room = member.room;
    if (room === undefined || room.members.get(member.node) !== member) return;
    room.members.delete(member.node);
    this.cluster?.release(room.name, member.node);
    if (room.remote.has(member.node)) return;
    for (const other of room.members.values()) this.#outbox.presence(other, member.node, false);
  }

  #onFrame(member: Member, data: Buffer, isBinary: boolean): void {
    member.alive = true;
    const room = member.room;
    if (room === undefined || member.leaving) return;
    const now = this.opts.now();
    const verdict = readClientFrame(isBinary ? data : undefined, member, (node) => room.has(node), now, room.faults);
    if (verdict.action === 'keepalive') return this.#outbox.answerKeepalive(member, now);
    if (verdict.action === 'drop') {
      if (verdict.cause === 'malformed') this.stats.rejected.malformed++;
      else this.stats.dropped[verdict.cause]++;
      return;
    }
    const { to, frame, delayMs } = verdict;
    if (delayMs === 0) return this.#route(room, to, frame);
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
      if (!this.#closed) this.#route(room, to, frame);
    }, delayMs).unref();
  }

  /** Sends a frame to `to`: here, or to the relay holding it. */
  #route(room: Room, to: NodeId, frame: Uint8Array): void {
    const target = room.members.get(to);
    if (target !== undefined) return this.#outbox.deliver(target, frame);
    const relay = room.remote.get(to);
    if (relay === undefined || this.cluster === undefined) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    const outcome = this.cluster.forward(relay, room.name, to, frame);
    if (outcome === 'overBudget') this.stats.dropped.overBudget++;
    else if (outcome !== 'sent') this.stats.cluster!.dropped[outcome]++;
  }

  /**
   * Runs often: updates queues that drained on their own, sends presence that waited for
   * room, and disconnects clients that stalled: a queue full for `stallTimeoutMs`, a message
   * incomplete for as long.
   */
  sweep(): void {
    const now = this.opts.now();
    this.#outbox.sweep(now);
    this.#intake.dropStalledSenders(now);
    this.#intake.makeRoom();
    if (this.budget.over) this.#shed();
  }

  /**
   * Brings the relay back under its memory budget, to a tenth of its room below it: drops
   * the connections holding the most (a message partly received, a queue over its bound)
   * first. They are the ones an attack fills; a client that reads and writes at pace holds little.
   */
  #shed(): void {
    const lowWater = this.budget.limit - (this.budget.limit - this.budget.base) / 10;
    const heavy = [...this.#intake.receiving, ...this.#outbox.overfull()];
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

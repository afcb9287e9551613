/**
 * The relay: one room per cluster, members identified by node id, binary envelopes
 * forwarded between members of a room. It never reads the Raft frames it carries.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeId } from '@webraft/core';
import { FaultTable } from '../faults.ts';
import { CloseCode, decodeEnvelope, encodeEnvelope, EnvelopeError, EnvelopeKind, readdressEnvelope } from '../protocol.ts';
import { admit, type Admission } from './admission.ts';
import { handleAdmin } from './admin.ts';
import { resolveRelayOptions, type RelayOptions, type ResolvedRelayOptions } from './options.ts';
import { Member, Room } from './room.ts';
import { emptyStats, type RelayStats } from './stats.ts';

const keepaliveReply = encodeEnvelope(EnvelopeKind.keepalive, '', new Uint8Array(0));

export interface Relay {
  /** The port actually listened on. */
  readonly port: number;
  /** `ws://host:port/path` of the relay. */
  readonly url: string;
  /** A snapshot of the counters. */
  stats(): RelayStats;
  /** Fault injection for links in `room` (the same table the admin API edits). */
  faults(room: string): FaultTable;
  /** Members of each room. */
  rooms(): { room: string; members: NodeId[] }[];
  /** Closes every connection with 1001 and stops listening (unless given a `server`). */
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const opts = resolveRelayOptions(options);
  const server = opts.server ?? createServer();
  const relay = new RelayServer(opts, server);
  if (opts.server === undefined) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  return relay;
}

class RelayServer implements Relay {
  readonly #opts: ResolvedRelayOptions;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #rooms = new Map<string, Room>();
  readonly #faults = new Map<string, FaultTable>();
  readonly #members = new Map<WebSocket, Member>();
  readonly #stats = emptyStats();
  readonly #pinger: ReturnType<typeof setInterval>;
  /** Sockets being admitted plus open ones, against `maxConnections`. */
  #connections = 0;
  #delayed = 0;
  #closed = false;

  constructor(opts: ResolvedRelayOptions, server: Server) {
    this.#opts = opts;
    this.#server = server;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes, perMessageDeflate: false });
    server.on('upgrade', this.#onUpgrade);
    server.on('request', this.#onRequest);
    this.#pinger = setInterval(this.#ping, opts.pingIntervalMs);
    this.#pinger.unref?.();
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.#opts.port;
  }

  get url(): string {
    const address = this.#server.address();
    const host = typeof address === 'object' && address !== null ? address.address : this.#opts.host;
    const shown = host.includes(':') ? `[${host}]` : host;
    return `ws://${shown}:${this.port}${this.#opts.path}`;
  }

  stats(): RelayStats {
    const { rss, heapUsed } = process.memoryUsage();
    return structuredClone({
      ...this.#stats,
      memory: { rssBytes: rss, heapUsedBytes: heapUsed },
      connections: this.#wss.clients.size,
      rooms: this.#rooms.size,
      members: this.#members.size,
    });
  }

  faults(room: string): FaultTable {
    let table = this.#faults.get(room);
    if (table === undefined) {
      table = new FaultTable(this.#opts.random);
      this.#faults.set(room, table);
    }
    return table;
  }

  rooms(): { room: string; members: NodeId[] }[] {
    return [...this.#rooms.values()].map((r) => ({ room: r.name, members: [...r.members.keys()] }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pinger);
    this.#server.off('upgrade', this.#onUpgrade);
    this.#server.off('request', this.#onRequest);
    const closing = [...this.#wss.clients].map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.close(CloseCode.goingAway, 'relay shutting down');
          setTimeout(() => socket.terminate(), 1000).unref();
        }),
    );
    await Promise.all(closing);
    this.#wss.close();
    if (this.#opts.server === undefined) {
      this.#server.closeAllConnections();
      await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    }
  }

  readonly #onRequest = (request: IncomingMessage, response: import('node:http').ServerResponse): void => {
    if (request.url?.startsWith('/admin/') && this.#opts.admin !== undefined) {
      handleAdmin(request, response, this, this.#opts.admin.token);
      return;
    }
    // On the application's own server, every other request is the application's.
    if (this.#opts.server !== undefined) return;
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    response.writeHead(426, { 'content-type': 'text/plain' }).end('webraft relay: connect with a WebSocket\n');
  };

  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.#opts.server !== undefined && new URL(request.url ?? '/', 'http://relay.invalid').pathname !== this.#opts.path) return;
    socket.on('error', () => socket.destroy());
    if (this.#closed) {
      socket.destroy();
      return;
    }
    // Counted on the raw socket, so a handshake that `ws` aborts is released too.
    const full = this.#connections >= this.#opts.maxConnections;
    this.#connections++;
    socket.once('close', () => this.#connections--);
    if (full) {
      this.#stats.rejected.tooManyConnections++;
      this.#accept(request, socket, head, { ok: false, code: CloseCode.tooManyConnections, reason: 'relay full' });
      return;
    }
    admit(request, {
      path: this.#opts.path,
      allowedOrigins: this.#opts.allowedOrigins,
      tokenSecret: this.#opts.tokenSecret,
      authorize: this.#opts.authorize,
      now: this.#opts.now,
    }).then(
      (admission) => this.#accept(request, socket, head, admission),
      () => this.#accept(request, socket, head, { ok: false, code: CloseCode.unauthorized, reason: 'admission failed' }),
    );
  };

  /** Completes the handshake even for refused clients, so browsers can read the close code. */
  #accept(request: IncomingMessage, socket: Duplex, head: Buffer, admission: Admission): void {
    if (this.#closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      if (!admission.ok) {
        this.#countRefusal(admission.code);
        ws.close(admission.code, admission.reason);
        setTimeout(() => ws.terminate(), 2000).unref();
        return;
      }
      this.#join(ws, admission.room, admission.node);
    });
  }

  #countRefusal(code: CloseCode): void {
    const r = this.#stats.rejected;
    if (code === CloseCode.badRequest) r.badRequest++;
    else if (code === CloseCode.unauthorized) r.unauthorized++;
    else if (code === CloseCode.forbiddenOrigin) r.forbiddenOrigin++;
    else if (code === CloseCode.tooManyRooms) r.tooManyRooms++;
    else if (code === CloseCode.roomFull) r.roomFull++;
  }

  #join(ws: WebSocket, roomName: string, node: NodeId): void {
    let room = this.#rooms.get(roomName);
    if (room === undefined) {
      if (this.#rooms.size >= this.#opts.maxRooms) return this.#refuse(ws, CloseCode.tooManyRooms, 'too many rooms');
      room = new Room(roomName, this.faults(roomName));
      this.#rooms.set(roomName, room);
    }
    const previous = room.members.get(node);
    if (previous !== undefined) {
      this.#remove(previous);
      previous.socket.close(CloseCode.replaced, 'replaced by a newer connection');
    } else if (room.members.size >= this.#opts.maxMembersPerRoom) {
      if (room.members.size === 0) this.#rooms.delete(roomName);
      return this.#refuse(ws, CloseCode.roomFull, 'room full');
    }
    const member = new Member(ws, room, node, this.#opts.maxFramesPerSecond, this.#opts.now());
    const others = [...room.members.keys()];
    room.members.set(node, member);
    this.#members.set(ws, member);

    ws.on('message', (data, isBinary) => this.#onFrame(member, data as Buffer, isBinary));
    ws.on('pong', () => (member.alive = true));
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#stats.rejected.oversized++;
    });
    ws.on('close', () => this.#leave(member));

    ws.send(encodeEnvelope(EnvelopeKind.welcome, '', new TextEncoder().encode(JSON.stringify(others))));
    const joined = encodeEnvelope(EnvelopeKind.presence, node, Uint8Array.of(1));
    for (const other of room.members.values()) if (other !== member) other.socket.send(joined);
  }

  #refuse(ws: WebSocket, code: CloseCode, reason: string): void {
    this.#countRefusal(code);
    ws.close(code, reason);
  }

  #leave(member: Member): void {
    this.#remove(member);
    if (member.room.members.size === 0 && this.#rooms.get(member.room.name) === member.room) this.#rooms.delete(member.room.name);
  }

  /** Takes `member` out of its room and tells the others; the room itself stays. */
  #remove(member: Member): void {
    const { room, node } = member;
    if (this.#members.get(member.socket) !== member) return;
    this.#members.delete(member.socket);
    if (room.members.get(node) !== member) return;
    room.members.delete(node);
    const left = encodeEnvelope(EnvelopeKind.presence, node, Uint8Array.of(0));
    for (const other of room.members.values()) other.socket.send(left);
  }

  #onFrame(member: Member, data: Buffer, isBinary: boolean): void {
    member.alive = true;
    if (this.#members.get(member.socket) !== member) return;
    if (!isBinary) {
      this.#stats.rejected.malformed++;
      return;
    }
    if (!member.takeToken(this.#opts.now())) {
      this.#stats.dropped.rateLimited++;
      return;
    }
    let envelope;
    try {
      envelope = decodeEnvelope(data);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      this.#stats.rejected.malformed++;
      return;
    }
    if (envelope.kind === EnvelopeKind.keepalive) {
      member.socket.send(keepaliveReply);
      return;
    }
    if (envelope.kind !== EnvelopeKind.data && envelope.kind !== EnvelopeKind.batch && envelope.kind !== EnvelopeKind.signal) {
      this.#stats.rejected.malformed++;
      return;
    }
    const to = envelope.peer;
    if (to === member.node || !member.room.members.has(to)) {
      this.#stats.dropped.unknownPeer++;
      return;
    }
    const verdict = member.room.faults.decide(member.node, to);
    if (verdict.drop) {
      this.#stats.dropped.fault++;
      return;
    }
    const frame = readdressEnvelope(data, envelope, member.idBytes);
    if (verdict.delayMs === 0) {
      this.#deliver(member.room, to, frame);
      return;
    }
    if (this.#delayed >= this.#opts.maxDelayedFrames) {
      this.#stats.dropped.delayQueueFull++;
      return;
    }
    this.#delayed++;
    setTimeout(() => {
      this.#delayed--;
      if (!this.#closed) this.#deliver(member.room, to, frame);
    }, verdict.delayMs).unref();
  }

  #deliver(room: Room, to: NodeId, frame: Uint8Array): void {
    const target = room.members.get(to);
    if (target === undefined || target.socket.readyState !== target.socket.OPEN) {
      this.#stats.dropped.unknownPeer++;
      return;
    }
    // Checked before the send, so a frame larger than the bound still passes an idle socket;
    // the queue stays under maxBufferedBytes + maxFrameBytes.
    if (target.socket.bufferedAmount > this.#opts.maxBufferedBytes) {
      this.#stats.dropped.backpressure++;
      return;
    }
    target.socket.send(frame, { binary: true });
    this.#stats.framesForwarded++;
    this.#stats.bytesForwarded += frame.length;
  }

  readonly #ping = (): void => {
    for (const member of this.#members.values()) {
      if (!member.alive) {
        member.socket.terminate();
        continue;
      }
      member.alive = false;
      member.socket.ping();
    }
  };
}

/**
 * The relay: one room per cluster, members identified by node id, binary envelopes
 * forwarded between members of a room. It never reads the Raft frames it carries.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeId } from '@webraft/core';
import type { FaultTable, LinkFaultRule } from '../faults.ts';
import { CloseCode } from '../protocol.ts';
import { addressKey, AddressLimits } from './address-limits.ts';
import { admit, requestPath, type Admission } from './admission.ts';
import { handleAdmin, type AdminTarget } from './admin.ts';
import { connectionCost, MemoryBudget } from './budget.ts';
import { connectCluster, type RedisCluster } from './cluster/redis-cluster.ts';
import { FaultRegistry } from './fault-registry.ts';
import { resolveRelayOptions, type RelayOptions, type ResolvedRelayOptions } from './options.ts';
import { emptyClusterStats, emptyStats, type RelayStats } from './stats.ts';
import { closeGracefully, Switchboard } from './switchboard.ts';

/** How often queues, stalls and the budget are checked. */
const sweepMs = 100;
/** Refused sockets waiting for their close frame to leave; past this many, they are cut at once. */
const maxLingering = 1024;
const lingerMs = 250;

export interface Relay {
  /** The port actually listened on. */
  readonly port: number;
  /** `ws://host:port/path` of the relay. */
  readonly url: string;
  /** A snapshot of the counters. */
  stats(): RelayStats;
  /** Fault injection for links in `room` (the same table the admin API edits); kept as long as the relay runs. */
  faults(room: string): FaultTable;
  /** Members of each room connected to this relay (with `redis`, the room may have others at other relays). */
  rooms(): { room: string; members: NodeId[] }[];
  /** Closes every connection with 1001 and stops listening (unless given a `server`). */
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const opts = resolveRelayOptions(options);
  const budget = new MemoryBudget(opts.maxMemoryBytes, process.memoryUsage.rss());
  const server = opts.server ?? createServer();
  const relay = new RelayServer(opts, server, budget);
  if (opts.redis !== undefined) {
    try {
      await relay.joinCluster(opts.redis);
    } catch (error) {
      await relay.close();
      throw error;
    }
  }
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

class RelayServer implements Relay, AdminTarget {
  readonly #opts: ResolvedRelayOptions;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #budget: MemoryBudget;
  readonly #limits: AddressLimits;
  readonly #faults: FaultRegistry;
  readonly #stats = emptyStats();
  readonly #board: Switchboard;
  readonly #timers: ReturnType<typeof setInterval>[];
  #cluster: RedisCluster | undefined;
  /** Sockets being admitted plus admitted ones, against `maxConnections`. */
  #connections = 0;
  #lingering = 0;
  #closed = false;

  constructor(opts: ResolvedRelayOptions, server: Server, budget: MemoryBudget) {
    this.#opts = opts;
    this.#server = server;
    this.#budget = budget;
    this.#limits = new AddressLimits(opts.maxConnectionsPerAddress, opts.maxHandshakesPerSecondPerAddress);
    this.#faults = new FaultRegistry(opts.random);
    this.#board = new Switchboard(opts, this.#stats, budget, this.#faults);
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      // Clients send each message in one frame; thousands of fragments or tiny chunks held per
      // message would cost far more than the bytes they carry.
      maxFragments: 64,
      maxBufferedChunks: Math.max(1024, Math.ceil(opts.maxFrameBytes / 512)),
    });
    server.on('upgrade', this.#onUpgrade);
    server.on('request', this.#onRequest);
    this.#timers = [
      setInterval(() => this.#board.ping(), opts.pingIntervalMs),
      setInterval(() => this.#board.sweep(), sweepMs),
      setInterval(() => this.#limits.prune(opts.now()), 5000),
    ];
    for (const timer of this.#timers) timer.unref?.();
  }

  /** Shares rooms with the relays using the same Redis; rejects with `RelayClusterError` if Redis cannot be reached. */
  async joinCluster(url: string): Promise<void> {
    const stats = (this.#stats.cluster = emptyClusterStats());
    this.#cluster = await connectCluster({ url, prefix: this.#opts.redisPrefix, leaseMs: this.#opts.redisLeaseMs }, this.#board, stats, this.#budget);
    this.#board.cluster = this.#cluster;
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
    const budget = this.#budget;
    if (this.#stats.cluster !== undefined) {
      this.#stats.cluster.remoteMembers = [...this.#board.rooms.values()].reduce((sum, room) => sum + room.remote.size, 0);
    }
    return structuredClone({
      ...this.#stats,
      memory: { rssBytes: rss, heapUsedBytes: heapUsed, budgetBytes: budget.limit, usedBytes: budget.used, held: budget.held },
      connections: this.#wss.clients.size,
      rooms: this.#board.rooms.size,
      members: [...this.#board.rooms.values()].reduce((sum, room) => sum + room.members.size, 0),
      faultTables: this.#faults.size,
    });
  }

  faults(room: string): FaultTable {
    return this.#faults.keep(room);
  }

  faultRules(room: string): LinkFaultRule[] {
    return this.#faults.peek(room)?.list() ?? [];
  }

  setFault(room: string, rule: LinkFaultRule): void {
    this.#faults.table(room).set(rule.from, rule.to, rule);
    this.#releaseFaults(room);
  }

  healFaults(room: string, a?: NodeId, b?: NodeId): void {
    this.#faults.peek(room)?.heal(a, b);
    this.#releaseFaults(room);
  }

  #releaseFaults(room: string): void {
    if (!this.#board.rooms.has(room)) this.#faults.release(room);
  }

  rooms(): { room: string; members: NodeId[] }[] {
    return [...this.#board.rooms.values()].map((r) => ({ room: r.name, members: [...r.members.keys()] }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#board.close();
    for (const timer of this.#timers) clearInterval(timer);
    this.#server.off('upgrade', this.#onUpgrade);
    this.#server.off('request', this.#onRequest);
    const closing = [...this.#wss.clients].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          // Sockets already closing were refused or dropped: nothing more to tell them.
          if (socket.readyState !== socket.OPEN) return socket.terminate();
          socket.close(CloseCode.goingAway, 'relay shutting down');
          setTimeout(() => socket.terminate(), 1000).unref();
        }),
    );
    await Promise.all(closing);
    this.#wss.close();
    await this.#cluster?.close();
    if (this.#opts.server === undefined) {
      this.#server.closeAllConnections();
      await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    }
  }

  readonly #onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.url?.startsWith('/admin/') && this.#opts.admin !== undefined) {
      handleAdmin(request, response, this, this.#opts.admin.token);
      return;
    }
    // On the application's own server, every other request is the application's.
    if (this.#opts.server !== undefined) return;
    if (request.url === '/healthz') {
      // A load balancer sends no one to a relay that cannot see the rest of its rooms.
      if (this.#cluster !== undefined && !this.#cluster.attached) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('redis unavailable\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    response.writeHead(426, { 'content-type': 'text/plain' }).end('webraft relay: connect with a WebSocket\n');
  };

  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // On the application's server, upgrades elsewhere (or to URLs that do not parse) are its own.
    if (this.#opts.server !== undefined && requestPath(request.url) !== this.#opts.path) return;
    socket.on('error', () => socket.destroy());
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const now = this.#opts.now();
    const address = addressKey(this.#clientAddress(request));
    if (!this.#limits.takeHandshake(address, now)) {
      this.#stats.rejected.handshakeRate++;
      socket.end('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
      return;
    }
    // Counted on the raw socket, so a handshake that `ws` aborts is released too.
    this.#budget.change('connections', connectionCost);
    socket.once('close', () => this.#budget.change('connections', -connectionCost));
    const refusal = this.#connectionRefusal(address, now);
    if (refusal !== undefined) {
      this.#accept(request, socket, head, refusal, () => undefined);
      return;
    }
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      this.#connections--;
      this.#limits.close(address);
    };
    socket.once('close', release);
    admit(request, {
      path: this.#opts.path,
      allowedOrigins: this.#opts.allowedOrigins,
      tokenSecret: this.#opts.tokenSecret,
      authorize: this.#opts.authorize,
      now: this.#opts.now,
    }).then(
      (admission) => this.#accept(request, socket, head, admission, release),
      () => this.#accept(request, socket, head, { ok: false, code: CloseCode.unauthorized, reason: 'admission failed' }, release),
    );
  };

  #clientAddress(request: IncomingMessage): string | undefined {
    if (this.#opts.clientAddress === undefined) return request.socket.remoteAddress;
    try {
      return this.#opts.clientAddress(request);
    } catch {
      return request.socket.remoteAddress;
    }
  }

  /** Takes a connection slot (total, per address, budget), or says why there is none. */
  #connectionRefusal(address: string, now: number): Admission | undefined {
    const rejected = this.#stats.rejected;
    if (this.#connections >= this.#opts.maxConnections) {
      rejected.tooManyConnections++;
      return { ok: false, code: CloseCode.tooManyConnections, reason: 'relay full' };
    }
    // A quarter of the room in the budget stays for messages in flight.
    if (!this.#budget.fits(connectionCost + (this.#budget.limit - this.#budget.base) / 4)) {
      rejected.overloaded++;
      return { ok: false, code: CloseCode.overloaded, reason: 'relay at its memory budget' };
    }
    if (!this.#limits.open(address, now)) {
      rejected.addressLimit++;
      return { ok: false, code: CloseCode.addressLimit, reason: 'too many connections from this address' };
    }
    this.#connections++;
    return undefined;
  }

  /** Completes the handshake even for refused clients, so browsers can read the close code. */
  #accept(request: IncomingMessage, socket: Duplex, head: Buffer, admission: Admission, release: () => void): void {
    if (this.#closed || socket.destroyed) {
      release();
      socket.destroy();
      return;
    }
    if (!admission.ok) release();
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      if (admission.ok) this.#board.admit(ws, socket, admission.room, admission.node, release);
      else this.#refuse(ws, socket, admission);
    });
  }

  #refuse(ws: WebSocket, socket: Duplex, refusal: Admission & { ok: false }): void {
    const r = this.#stats.rejected;
    if (refusal.code === CloseCode.badRequest) r.badRequest++;
    else if (refusal.code === CloseCode.unauthorized) r.unauthorized++;
    else if (refusal.code === CloseCode.forbiddenOrigin) r.forbiddenOrigin++;
    if (this.#lingering >= maxLingering) {
      ws.close(refusal.code, refusal.reason);
      ws.terminate();
      return;
    }
    this.#lingering++;
    socket.once('close', () => this.#lingering--);
    closeGracefully(ws, socket, refusal.code, refusal.reason, lingerMs);
  }
}

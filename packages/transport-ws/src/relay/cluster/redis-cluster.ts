/**
 * A relay's link to the others through Redis. Two connections: one for commands (the
 * membership scripts, publishing frames and probes), one subscribed to this relay's own
 * channel and to the channels of the rooms it has members in.
 *
 * The relay holds a lease in Redis, renewed every fifth of `leaseMs`. Rooms are shared only
 * while the lease is sure to hold: when either connection closes, or no renewal went through
 * for half of `leaseMs`, the relay detaches (its clients are closed with 4108), and attaches
 * again, under a new id, once both connections are back and a renewal succeeds. Other relays
 * remove the members of a relay whose lease lapsed from their rooms; a relay detaches before
 * that can happen, so no room is ever split between relays that cannot see each other.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import type { NodeId } from '@webraft/core';
import type { MemoryBudget } from '../budget.ts';
import type { ClusterStats } from '../stats.ts';
import { ClusterUnavailableError, RelayClusterError, type Claim, type ClusterHandler, type ClusterLink, type ForwardOutcome, type RoomSnapshot } from './link.ts';
import { claimScript, reapScript, releaseScript } from './scripts.ts';
import { BusKind, BusMessageError, decodeBusMessage, decodeRoomEvent, encodeFrame, encodeProbe, encodeProbeReply, type ProbeRequest } from './wire.ts';

export interface RedisClusterOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). */
  readonly url: string;
  /** Prefix of every key and channel, so several clusters can share one Redis. */
  readonly prefix: string;
  /** A relay's lease: others forget its members this long after it was last renewed. */
  readonly leaseMs: number;
}

/** Bytes of frames handed to Redis and not yet acknowledged, relay-wide; beyond, frames to other relays are dropped. */
const maxClusterQueueBytes = 16 * 1024 * 1024;
/** How long to wait for another relay's reply to a probe beyond the probe's own time. */
const probeReplyGraceMs = 500;

interface Scripts {
  webraftClaim(...args: (string | number)[]): Promise<[string, string | number] | [string]>;
  webraftRelease(...args: (string | number)[]): Promise<number>;
  webraftReap(...args: (string | number)[]): Promise<number>;
}

/** Connects to Redis and attaches the relay; rejects with {@link RelayClusterError} if it cannot. */
export async function connectCluster(options: RedisClusterOptions, handler: ClusterHandler, stats: ClusterStats, budget: MemoryBudget): Promise<RedisCluster> {
  const { Redis } = await import('ioredis');
  const connection = (role: string): Redis =>
    new Redis(options.url, {
      lazyConnect: true,
      // Nothing waits for a connection that is down: the relay detaches instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      connectTimeout: options.leaseMs / 2,
      commandTimeout: options.leaseMs / 4,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
      connectionName: `webraft-relay-${role}`,
      disableClientInfo: true,
    } satisfies RedisOptions);
  const cluster = new RedisCluster(options, connection('commands'), connection('subscriber'), handler, stats, budget);
  await cluster.start();
  return cluster;
}

export class RedisCluster implements ClusterLink {
  readonly #opts: RedisClusterOptions;
  readonly #commands: Redis;
  readonly #scripts: Scripts;
  readonly #subscriber: Redis;
  readonly #handler: ClusterHandler;
  readonly #stats: ClusterStats;
  readonly #budget: MemoryBudget;
  readonly #roomChannels: string;
  readonly #probes = new Map<number, (answered: boolean) => void>();
  /** Rooms watched in this attachment. */
  readonly #watched = new Set<string>();
  /** The id and rooms of the attachment before: its members are removed from those rooms once attached again. */
  #orphaned: { readonly id: string; readonly rooms: readonly string[] } | undefined;
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #relayId = '';
  #attached = false;
  #attaching = false;
  #closed = false;
  /** When the last renewal of the lease that went through was sent. */
  #renewedAt = 0;
  #probeSeq = 0;
  #queuedBytes = 0;
  #sweepSoon: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: RedisClusterOptions, commands: Redis, subscriber: Redis, handler: ClusterHandler, stats: ClusterStats, budget: MemoryBudget) {
    this.#opts = opts;
    this.#commands = commands;
    this.#subscriber = subscriber;
    this.#handler = handler;
    this.#stats = stats;
    this.#budget = budget;
    this.#roomChannels = `${opts.prefix}room:`;
    commands.defineCommand('webraftClaim', { numberOfKeys: 0, lua: claimScript });
    commands.defineCommand('webraftRelease', { numberOfKeys: 0, lua: releaseScript });
    commands.defineCommand('webraftReap', { numberOfKeys: 0, lua: reapScript });
    this.#scripts = commands as unknown as Scripts;
  }

  get relayId(): string {
    return this.#relayId;
  }

  get attached(): boolean {
    return this.#attached;
  }

  /** The Redis URL without its password, for messages. */
  get shownUrl(): string {
    try {
      const url = new URL(this.#opts.url);
      if (url.password !== '') url.password = '***';
      return url.toString();
    } catch {
      return 'redis';
    }
  }

  async start(): Promise<void> {
    let lastError: unknown;
    for (const connection of [this.#commands, this.#subscriber]) {
      // An 'error' without a listener would end the process; a lost connection shows as 'close'.
      connection.on('error', (error: unknown) => (lastError = error));
      connection.on('close', () => this.#detach(`the relay lost its connection to Redis${lastError instanceof Error ? ` (${lastError.message})` : ''}`));
      connection.on('ready', () => this.#attachWhenReady());
    }
    this.#subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#onMessage(channel.toString(), message));
    try {
      await Promise.all([this.#commands.connect(), this.#subscriber.connect()]);
      await this.#attach();
    } catch (error) {
      this.#closed = true;
      this.#commands.disconnect();
      this.#subscriber.disconnect();
      // ioredis rejects with "Connection is closed."; the network's own error came as an 'error' event.
      const cause = lastError ?? error;
      throw new RelayClusterError(`cannot reach Redis at ${this.shownUrl}: ${describe(cause)}`, { cause });
    }
    this.#timers.push(
      setInterval(() => this.#renew(), this.#opts.leaseMs / 5),
      setInterval(() => void this.#sweep(), this.#opts.leaseMs),
    );
    for (const timer of this.#timers) timer.unref();
  }

  async #attach(): Promise<void> {
    const id = randomUUID();
    await this.#subscriber.subscribe(this.#relayChannel(id));
    const sentAt = Date.now();
    await Promise.all([this.#commands.set(this.#leaseKey(id), '1', 'PX', this.#opts.leaseMs), this.#subscriber.ping()]);
    this.#relayId = id;
    this.#renewedAt = sentAt;
    this.#attached = true;
    this.#stats.relayId = id;
    this.#stats.attached = true;
    const orphaned = this.#orphaned;
    this.#orphaned = undefined;
    if (orphaned === undefined) return;
    // Sent in order on one connection: the old lease is gone before the rooms are reaped.
    this.#commands.del(this.#leaseKey(orphaned.id)).catch(() => undefined);
    for (const room of orphaned.rooms) this.#scripts.webraftReap(this.#opts.prefix, room, orphaned.id).catch(() => undefined);
  }

  #attachWhenReady(): void {
    if (this.#closed || this.#attached || this.#attaching) return;
    if (this.#commands.status !== 'ready' || this.#subscriber.status !== 'ready') return;
    this.#attaching = true;
    this.#attach()
      .catch(() => undefined)
      .finally(() => (this.#attaching = false));
  }

  /** Renews the lease; detaches when no renewal went through for half of it. */
  #renew(): void {
    if (!this.#attached) return this.#attachWhenReady();
    const id = this.#relayId;
    const sentAt = Date.now();
    if (sentAt - this.#renewedAt > this.#opts.leaseMs / 2) {
      return this.#detach(`Redis did not renew the relay's lease for ${sentAt - this.#renewedAt} ms`);
    }
    // The subscriber is asked too: a channel that went silent must not go unnoticed.
    Promise.all([this.#commands.set(this.#leaseKey(id), '1', 'PX', this.#opts.leaseMs), this.#subscriber.ping()]).then(
      () => {
        if (this.#relayId === id) this.#renewedAt = Math.max(this.#renewedAt, sentAt);
      },
      () => undefined,
    );
  }

  #detach(reason: string): void {
    if (!this.#attached) return;
    this.#attached = false;
    this.#stats.attached = false;
    this.#stats.detachments++;
    for (const settle of [...this.#probes.values()]) settle(false);
    this.#orphaned = { id: this.#relayId, rooms: [...this.#watched] };
    this.#watched.clear();
    // Others may forget this relay's members at once; channels of this attachment go quiet.
    if (this.#commands.status === 'ready') this.#commands.del(this.#leaseKey(this.#relayId)).catch(() => undefined);
    if (this.#subscriber.status === 'ready') this.#subscriber.unsubscribe().catch(() => undefined);
    this.#handler.detached(reason);
  }

  /** Removes from their rooms the members of relays whose lease lapsed. */
  async #sweep(): Promise<void> {
    if (!this.#attached) return;
    const relays = this.#handler.remoteRelays();
    relays.delete(this.#relayId);
    if (relays.size === 0) return;
    const ids = [...relays.keys()];
    let leases: (string | null)[];
    try {
      leases = await this.#commands.mget(ids.map((id) => this.#leaseKey(id)));
    } catch {
      return;
    }
    ids.forEach((id, i) => {
      if (leases[i] !== null) return;
      for (const room of relays.get(id)!) this.#scripts.webraftReap(this.#opts.prefix, room, id).catch(() => undefined);
    });
  }

  /** A frame went to a relay nobody listens for: look for lapsed leases without waiting for the next sweep. */
  #sweepShortly(): void {
    if (this.#sweepSoon !== undefined) return;
    this.#sweepSoon = setTimeout(() => {
      this.#sweepSoon = undefined;
      void this.#sweep();
    }, 100);
    this.#sweepSoon.unref();
  }

  async watch(room: string): Promise<RoomSnapshot> {
    this.#mustBeAttached();
    this.#watched.add(room);
    let fields: Record<string, string>;
    try {
      // Subscribed first: every change after the snapshot then arrives as an event.
      await this.#subscriber.subscribe(this.#roomChannels + room);
      fields = await this.#commands.hgetall(this.#membersKey(room));
    } catch (error) {
      throw new ClusterUnavailableError(`Redis did not answer: ${describe(error)}`, { cause: error });
    }
    const members = new Map<NodeId, string>();
    for (const [field, relay] of Object.entries(fields)) if (field.startsWith('n:')) members.set(field.slice(2), relay);
    return { version: Number(fields.v ?? 0), members };
  }

  unwatch(room: string): void {
    this.#watched.delete(room);
    if (this.#attached) this.#subscriber.unsubscribe(this.#roomChannels + room).catch(() => undefined);
  }

  async claim(room: string, node: NodeId, maxMembers: number, takeFrom = ''): Promise<Claim> {
    this.#mustBeAttached();
    let reply: [string, string | number] | [string];
    try {
      reply = await this.#scripts.webraftClaim(this.#opts.prefix, room, node, this.#relayId, maxMembers, takeFrom);
    } catch (error) {
      throw new ClusterUnavailableError(`Redis did not answer: ${describe(error)}`, { cause: error });
    }
    if (reply[0] === 'claimed') return { outcome: 'claimed', version: Number(reply[1]) };
    if (reply[0] === 'held') return { outcome: 'held', relay: String(reply[1]) };
    return { outcome: 'full' };
  }

  release(room: string, node: NodeId): void {
    if (this.#attached) this.#scripts.webraftRelease(this.#opts.prefix, room, node, this.#relayId).catch(() => undefined);
  }

  forward(relay: string, room: string, to: NodeId, frame: Uint8Array): ForwardOutcome {
    if (!this.#attached) return 'detached';
    if (this.#queuedBytes + frame.length > maxClusterQueueBytes) return 'backpressure';
    const message = encodeFrame(room, to, frame);
    const size = message.length;
    if (!this.#budget.fits(size)) return 'overBudget';
    this.#queuedBytes += size;
    this.#budget.change('cluster', size);
    const settle = (receivers: number): void => {
      this.#queuedBytes -= size;
      this.#budget.change('cluster', -size);
      if (receivers > 0) return;
      this.#stats.dropped.noRelay++;
      this.#sweepShortly();
    };
    this.#commands.publish(this.#relayChannel(relay), message).then(settle, () => settle(1));
    this.#stats.framesOut++;
    this.#stats.bytesOut += size;
    return 'sent';
  }

  probe(relay: string, room: string, node: NodeId, timeoutMs: number): Promise<boolean> {
    if (!this.#attached) return Promise.resolve(false);
    const id = ++this.#probeSeq;
    this.#stats.probes.asked++;
    return new Promise<boolean>((resolve) => {
      const settle = (answered: boolean): void => {
        if (!this.#probes.delete(id)) return;
        clearTimeout(timer);
        if (answered) this.#stats.probes.answered++;
        resolve(answered);
      };
      const timer = setTimeout(() => settle(false), timeoutMs + probeReplyGraceMs);
      this.#probes.set(id, settle);
      // Nobody on the relay's channel: the relay is gone, or about to detach.
      this.#commands.publish(this.#relayChannel(relay), encodeProbe({ id, room, node, from: this.#relayId })).then(
        (receivers) => receivers === 0 && settle(false),
        () => settle(false),
      );
    });
  }

  #onMessage(channel: string, message: Buffer): void {
    if (!this.#attached) return;
    try {
      if (channel.startsWith(this.#roomChannels)) {
        this.#handler.roomEvent(channel.slice(this.#roomChannels.length), decodeRoomEvent(message.toString()));
        return;
      }
      if (channel !== this.#relayChannel(this.#relayId)) return;
      const bus = decodeBusMessage(message);
      if (bus.kind === BusKind.frame) {
        this.#stats.framesIn++;
        this.#stats.bytesIn += message.length;
        this.#handler.frame(bus.room, bus.to, bus.frame);
      } else if (bus.kind === BusKind.probe) {
        this.#answerProbe(bus.request);
      } else {
        this.#probes.get(bus.reply.id)?.(bus.reply.answered);
      }
    } catch (error) {
      if (!(error instanceof BusMessageError)) throw error;
      this.#stats.malformed++;
    }
  }

  #answerProbe(request: ProbeRequest): void {
    const from = this.#relayId;
    void this.#handler.probe(request.room, request.node).then((answered) => {
      if (this.#attached && this.#relayId === from) {
        this.#commands.publish(this.#relayChannel(request.from), encodeProbeReply({ id: request.id, answered })).catch(() => undefined);
      }
    });
  }

  #mustBeAttached(): void {
    if (!this.#attached) throw new ClusterUnavailableError('the relay is not attached to Redis');
  }

  #relayChannel(id: string): string {
    return `${this.#opts.prefix}to:${id}`;
  }

  #leaseKey(id: string): string {
    return `${this.#opts.prefix}relay:${id}`;
  }

  #membersKey(room: string): string {
    return `${this.#opts.prefix}members:${room}`;
  }

  /** Gives up the lease (the others forget this relay's members at once) and closes both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    clearTimeout(this.#sweepSoon);
    const wasAttached = this.#attached;
    this.#attached = false;
    this.#stats.attached = false;
    if (wasAttached) await this.#commands.del(this.#leaseKey(this.#relayId)).catch(() => undefined);
    await Promise.all([this.#commands, this.#subscriber].map((connection) => quit(connection)));
  }
}

/** QUIT after what is queued, or a hard disconnect if Redis does not answer within a second. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  const timer = setTimeout(() => connection.disconnect(), 1000);
  await connection.quit().catch(() => undefined);
  clearTimeout(timer);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

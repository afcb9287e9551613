import type { IncomingMessage, Server } from 'node:http';
import { RelayOptionsError, requirePositive, roomLimitDefaults, withoutUndefined } from '../rooms/options.ts';
import type { AdmissionRequest } from './admission.ts';

export { RelayOptionsError } from '../rooms/options.ts';

export interface RelayOptions {
  /** Port to listen on; 0 picks a free one. Ignored with `server`. @default 8787 */
  readonly port?: number;
  /** Interface to listen on. Ignored with `server`. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Attach to an existing HTTP server instead of creating one. The relay then takes only
   * WebSocket upgrades on `path` and, if enabled, `/admin/` requests, and never closes the server.
   */
  readonly server?: Server;
  /** URL path of the WebSocket endpoint. @default '/' */
  readonly path?: string;
  /** Largest frame a client may send, in bytes; larger ones close the connection with 1009. @default 2 MiB */
  readonly maxFrameBytes?: number;
  /** Rooms that may exist at once. @default 1000 */
  readonly maxRooms?: number;
  /** Members one room may hold. @default 64 */
  readonly maxMembersPerRoom?: number;
  /** WebSocket connections the relay holds at once. @default 10000 */
  readonly maxConnections?: number;
  /** Connections (open or being admitted) from one client address; IPv6 addresses count per /64. @default 256 */
  readonly maxConnectionsPerAddress?: number;
  /**
   * WebSocket handshakes one client address may start per second (token bucket, burst of one
   * second). Beyond it the upgrade is answered with HTTP 429 and the socket closed. @default 100
   */
  readonly maxHandshakesPerSecondPerAddress?: number;
  /**
   * The client's address, for the per-address limits. Behind a reverse proxy every client has
   * the proxy's address: return the one the proxy reports (e.g. from `X-Forwarded-For`).
   * @default the socket's remote address
   */
  readonly clientAddress?: (request: IncomingMessage) => string | undefined;
  /** A receiver's send buffer bound: while more is queued for it, frames for it are dropped and counted. @default 1 MiB */
  readonly maxBufferedBytes?: number;
  /** Frames per second one member may send (token bucket, burst of one second); more are dropped. @default 20000 */
  readonly maxFramesPerSecond?: number;
  /**
   * Bytes per second one member may send (token bucket, burst of one second). Over it the
   * relay stops reading the member's socket until its budget refills: the network slows the
   * sender down, and nothing is dropped. @default 64 MiB
   */
  readonly maxBytesPerSecond?: number;
  /** Frames held back by delay faults, relay-wide; more are dropped. @default 10000 */
  readonly maxDelayedFrames?: number;
  /**
   * The relay process's memory budget, in bytes: what the process used when the relay started
   * plus what the relay holds for its clients (a fixed cost per connection, messages partly
   * received, frames queued for receivers or held by delay faults) stays under it. At the
   * budget, new connections are refused and the connections holding the most are dropped
   * (4105), and frames that would not fit are dropped and counted. @default 1 GiB
   */
  readonly maxMemoryBytes?: number;
  /**
   * How long a connection may hold memory without progress: a receiver whose queue stays over
   * `maxBufferedBytes` (4104), a sender whose message stays incomplete (4107). @default 30000
   */
  readonly stallTimeoutMs?: number;
  /**
   * How long the connection holding a node id has to answer a ping when a new connection asks
   * for the same id. It keeps the id if it answers (the new one is refused with 4106), and is
   * replaced (4009) if not. @default 2000
   */
  readonly takeoverProbeMs?: number;
  /** Ping period; a socket that has not answered the previous ping is dropped. @default 15000 */
  readonly pingIntervalMs?: number;
  /** When set, every room requires a token minted with this secret (`mintRoomToken`). */
  readonly tokenSecret?: string | Uint8Array;
  /** Application hook, after the token check; return false to refuse (close code 4001). */
  readonly authorize?: (request: AdmissionRequest) => boolean | Promise<boolean>;
  /** Browser origins allowed to connect; requests without an Origin header are not affected. @default any */
  readonly allowedOrigins?: readonly string[];
  /**
   * The admin and fault-injection HTTP API under `/admin/`. Off unless given. With `token`,
   * requests must carry `Authorization: Bearer <token>`; without, anyone who can reach the
   * port may cut links — only for local testing.
   */
  readonly admin?: { readonly token?: string };
  /**
   * Share rooms with other relays through the Redis at this URL (`redis://[user:password@]host:port[/db]`,
   * or `rediss://` for TLS): the members of a room may then be connected to different relays.
   * Without Redis the relay cannot see the rest of a room, so while it has lost Redis it closes
   * its clients and refuses new ones with 4108 (`clusterUnavailable`). @default none: rooms are this relay's own
   */
  readonly redis?: string;
  /** Prefix of every Redis key and channel the relays use, so several clusters can share one Redis. @default 'webraft:' */
  readonly redisPrefix?: string;
  /**
   * A relay's lease in Redis, renewed every fifth of it. A relay that could not renew it for
   * half of it detaches (4108 to its clients); the others forget its members once it lapses. @default 10000
   */
  readonly redisLeaseMs?: number;
  /** Random source of drop-rate and jitter faults. @default Math.random */
  readonly random?: () => number;
  /** Wall clock, for token expiry and rate limits. @default Date.now */
  readonly now?: () => number;
}

type Hooks = 'server' | 'tokenSecret' | 'authorize' | 'allowedOrigins' | 'admin' | 'clientAddress' | 'redis';
export type ResolvedRelayOptions = Required<Omit<RelayOptions, Hooks>> & Pick<RelayOptions, Hooks>;

const limits = [
  'maxFrameBytes',
  'maxRooms',
  'maxMembersPerRoom',
  'maxConnections',
  'maxConnectionsPerAddress',
  'maxHandshakesPerSecondPerAddress',
  'maxBufferedBytes',
  'maxFramesPerSecond',
  'maxBytesPerSecond',
  'maxDelayedFrames',
  'maxMemoryBytes',
  'stallTimeoutMs',
  'takeoverProbeMs',
  'pingIntervalMs',
  'redisLeaseMs',
] as const;

export function resolveRelayOptions(options: RelayOptions): ResolvedRelayOptions {
  const resolved: ResolvedRelayOptions = {
    port: 8787,
    host: '127.0.0.1',
    path: '/',
    ...roomLimitDefaults,
    maxRooms: 1000,
    maxConnections: 10_000,
    maxConnectionsPerAddress: 256,
    maxHandshakesPerSecondPerAddress: 100,
    maxDelayedFrames: 10_000,
    maxMemoryBytes: 1024 * 1024 * 1024,
    stallTimeoutMs: 30_000,
    pingIntervalMs: 15_000,
    redisPrefix: 'webraft:',
    redisLeaseMs: 10_000,
    random: Math.random,
    now: Date.now,
    ...withoutUndefined(options),
  };
  requirePositive(resolved, limits);
  if (resolved.redis !== undefined) checkRedisUrl(resolved.redis);
  if (typeof resolved.redisPrefix !== 'string' || resolved.redisPrefix.length > 64) {
    throw new RelayOptionsError(`\`redisPrefix\` must be a string of at most 64 characters, got ${JSON.stringify(resolved.redisPrefix)}`);
  }
  if (resolved.redisLeaseMs < 500) throw new RelayOptionsError(`\`redisLeaseMs\` must be at least 500, got ${resolved.redisLeaseMs}`);
  return resolved;
}

function checkRedisUrl(value: unknown): void {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    const shown = typeof value === 'string' ? JSON.stringify(value.replace(/\/\/[^@/]*@/, '//***@')) : String(value);
    throw new RelayOptionsError(`\`redis\` must be a URL like redis://127.0.0.1:6379 or rediss://host:port, got ${shown}`);
  }
}

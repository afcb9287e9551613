import type { Server } from 'node:http';
import type { AdmissionRequest } from './admission.ts';

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
  /** A receiver's send buffer bound: while more is queued for it, frames for it are dropped and counted. @default 1 MiB */
  readonly maxBufferedBytes?: number;
  /** Frames per second one member may send (token bucket, burst of one second). @default 20000 */
  readonly maxFramesPerSecond?: number;
  /** Frames held back by delay faults, relay-wide; more are dropped. @default 10000 */
  readonly maxDelayedFrames?: number;
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
  /** Random source of drop-rate and jitter faults. @default Math.random */
  readonly random?: () => number;
  /** Wall clock, for token expiry and rate limits. @default Date.now */
  readonly now?: () => number;
}

export type ResolvedRelayOptions = Required<
  Omit<RelayOptions, 'server' | 'tokenSecret' | 'authorize' | 'allowedOrigins' | 'admin'>
> &
  Pick<RelayOptions, 'server' | 'tokenSecret' | 'authorize' | 'allowedOrigins' | 'admin'>;

export function resolveRelayOptions(options: RelayOptions): ResolvedRelayOptions {
  return {
    port: 8787,
    host: '127.0.0.1',
    path: '/',
    maxFrameBytes: 2 * 1024 * 1024,
    maxRooms: 1000,
    maxMembersPerRoom: 64,
    maxConnections: 10_000,
    maxBufferedBytes: 1024 * 1024,
    maxFramesPerSecond: 20_000,
    maxDelayedFrames: 10_000,
    pingIntervalMs: 15_000,
    random: Math.random,
    now: Date.now,
    ...withoutUndefined(options),
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

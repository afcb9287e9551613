/**
 * Options of the relays whose rooms run on a standard WebSocket (the Durable Object relay, the
 * Deno relay): who may join, and the limits of a room. The Node relay takes the same names
 * with the same defaults, and more (it also bounds its process's memory and connections).
 */
import type { AdmissionRequestOf } from './admission.ts';

/** An option the relay cannot work with; the message names it. */
export class RelayOptionsError extends Error {
  override readonly name = 'RelayOptionsError';
}

export interface RoomRelayOptions<Request> {
  /** URL path of the WebSocket endpoint. @default '/' */
  readonly path?: string;
  /** When set, every room requires a token minted with this secret (`mintRoomToken`); else close code 4001. */
  readonly tokenSecret?: string | Uint8Array;
  /** Browser origins allowed to connect (4003 for others); requests without an Origin header are not affected. @default any */
  readonly allowedOrigins?: readonly string[];
  /** Application hook, after the token check; return false to refuse (close code 4001). */
  readonly authorize?: (request: AdmissionRequestOf<Request>) => boolean | Promise<boolean>;
  /** Largest message a client may send, in bytes; a larger one closes its connection with 1009. @default 2 MiB */
  readonly maxFrameBytes?: number;
  /** Members one room may hold; one more is refused with 4101. @default 64 */
  readonly maxMembersPerRoom?: number;
  /** Frames per second one member may send (token bucket, burst of one second); more are dropped and counted. @default 20000 */
  readonly maxFramesPerSecond?: number;
  /**
   * Bytes per second one member may send (token bucket, burst of one second). A runtime that
   * hands the relay whole messages cannot stop reading a socket, so a frame over it is
   * dropped and counted (`dropped.rateLimited`). At least `maxFrameBytes`. @default 64 MiB
   */
  readonly maxBytesPerSecond?: number;
  /** A receiver's send queue bound, where the runtime reports it (`bufferedAmount`): frames for it beyond are dropped and counted. @default 1 MiB */
  readonly maxBufferedBytes?: number;
  /**
   * How long the connection holding a node id has to send anything (a Raft node talks every
   * heartbeat; an idle client sends a keepalive) when a new connection asks for the same id. It
   * keeps the id if it does (the new one is refused with 4106), and is replaced (4009) if not. @default 2000
   */
  readonly takeoverProbeMs?: number;
}

/** The limits of a room, with their defaults filled in. */
export interface RoomLimits {
  readonly maxFrameBytes: number;
  readonly maxMembersPerRoom: number;
  readonly maxFramesPerSecond: number;
  readonly maxBytesPerSecond: number;
  readonly maxBufferedBytes: number;
  readonly takeoverProbeMs: number;
}

export const roomLimitDefaults: RoomLimits = Object.freeze({
  maxFrameBytes: 2 * 1024 * 1024,
  maxMembersPerRoom: 64,
  maxFramesPerSecond: 20_000,
  maxBytesPerSecond: 64 * 1024 * 1024,
  maxBufferedBytes: 1024 * 1024,
  takeoverProbeMs: 2000,
});

export type ResolvedRoomRelayOptions<Request> = RoomLimits &
  Pick<RoomRelayOptions<Request>, 'tokenSecret' | 'allowedOrigins' | 'authorize'> & { readonly path: string };

/** Fills in the defaults; throws {@link RelayOptionsError} naming an option out of range. */
export function resolveRoomRelayOptions<Request>(options: RoomRelayOptions<Request>): ResolvedRoomRelayOptions<Request> {
  const resolved = { ...roomLimitDefaults, path: '/', ...withoutUndefined(options) };
  requirePositive(resolved, Object.keys(roomLimitDefaults) as (keyof RoomLimits)[]);
  if (resolved.maxBytesPerSecond < resolved.maxFrameBytes) {
    throw new RelayOptionsError(
      `\`maxBytesPerSecond\` (${resolved.maxBytesPerSecond}) must be at least \`maxFrameBytes\` (${resolved.maxFrameBytes}): a frame that large could never pass`,
    );
  }
  if (typeof resolved.path !== 'string' || !resolved.path.startsWith('/')) {
    throw new RelayOptionsError(`\`path\` must start with /, got ${JSON.stringify(resolved.path)}`);
  }
  if (resolved.allowedOrigins !== undefined && !(Array.isArray(resolved.allowedOrigins) && resolved.allowedOrigins.every((o) => typeof o === 'string'))) {
    throw new RelayOptionsError('`allowedOrigins` must be an array of origins like "https://app.example"');
  }
  if (resolved.tokenSecret !== undefined && !(typeof resolved.tokenSecret === 'string' ? resolved.tokenSecret !== '' : resolved.tokenSecret instanceof Uint8Array)) {
    throw new RelayOptionsError('`tokenSecret` must be a non-empty string or bytes');
  }
  return resolved;
}

/** Throws {@link RelayOptionsError} unless every option named is a positive finite number. */
export function requirePositive<T extends object>(resolved: T, names: readonly (keyof T & string)[]): void {
  for (const name of names) {
    const value = resolved[name];
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      throw new RelayOptionsError(`\`${name}\` must be a positive number, got ${String(value)}`);
    }
  }
}

export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

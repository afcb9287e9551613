/**
 * The relays that speak the protocol, behind one face, so a test of the protocol runs against
 * each: the Node relay in this process, the Durable Object relay in workerd, and the Deno
 * relay in a deno process. Each is started with the options every relay takes and reports the
 * counters every relay keeps.
 */
import { startRelay } from '../src/relay/index.ts';
import { startDenoRelay } from './edge/deno-relay-process.ts';
import { startWorkerdRelay } from './edge/workerd-relay.ts';

export interface ProtocolRelayOptions {
  readonly maxFrameBytes?: number;
  readonly maxMembersPerRoom?: number;
  readonly maxFramesPerSecond?: number;
  readonly maxBytesPerSecond?: number;
  readonly takeoverProbeMs?: number;
  readonly tokenSecret?: string;
  readonly allowedOrigins?: readonly string[];
}

/** What every relay counts, as far as it concerns one room, and the room's members. */
export interface ProtocolStats {
  readonly framesForwarded: number;
  readonly dropped: { readonly rateLimited: number; readonly unknownPeer: number };
  readonly rejected: {
    readonly badRequest: number;
    readonly unauthorized: number;
    readonly forbiddenOrigin: number;
    readonly roomFull: number;
    readonly nodeIdInUse: number;
    readonly oversized: number;
    readonly malformed: number;
  };
  readonly disconnected: { readonly replaced: number };
  readonly members: readonly string[];
}

export interface RelayUnderTest {
  /** `ws://127.0.0.1:port/` */
  readonly url: string;
  /** The counters concerning `room` (the Node relay counts for all its rooms together) and its members. */
  stats(room: string): Promise<ProtocolStats>;
  close(): Promise<void>;
}

export interface RelayKind {
  readonly name: string;
  start(options?: ProtocolRelayOptions): Promise<RelayUnderTest>;
}

export const nodeRelay: RelayKind = {
  name: 'Node relay',
  async start(options = {}) {
    const relay = await startRelay({ port: 0, ...options });
    return {
      url: relay.url,
      async stats(room) {
        const stats = relay.stats();
        return { ...stats, members: relay.rooms().find((r) => r.room === room)?.members ?? [] };
      },
      close: () => relay.close(),
    };
  },
};

const environment: Record<keyof ProtocolRelayOptions, string> = {
  maxFrameBytes: 'WEBRAFT_RELAY_MAX_FRAME_BYTES',
  maxMembersPerRoom: 'WEBRAFT_RELAY_MAX_MEMBERS',
  maxFramesPerSecond: 'WEBRAFT_RELAY_MAX_FRAMES_PER_SECOND',
  maxBytesPerSecond: 'WEBRAFT_RELAY_MAX_BYTES_PER_SECOND',
  takeoverProbeMs: 'WEBRAFT_RELAY_TAKEOVER_PROBE_MS',
  tokenSecret: 'WEBRAFT_RELAY_SECRET',
  allowedOrigins: 'WEBRAFT_RELAY_ALLOWED_ORIGINS',
};

export const durableObjectRelay: RelayKind = {
  name: 'Durable Object relay (workerd)',
  async start(options = {}) {
    const env: Record<string, string> = {};
    for (const [option, value] of Object.entries(options)) {
      if (value !== undefined) env[environment[option as keyof ProtocolRelayOptions]] = Array.isArray(value) ? value.join(',') : String(value);
    }
    const relay = await startWorkerdRelay(env);
    return {
      url: relay.url,
      async stats(room) {
        const [worker, stats] = await Promise.all([relay.workerStats(), relay.roomStats(room)]);
        return { ...stats, rejected: { ...stats.rejected, ...worker.rejected }, members: stats.nodes };
      },
      close: () => relay.stop(),
    };
  },
};

export const denoRelay: RelayKind = {
  name: 'Deno relay',
  async start(options = {}) {
    const relay = await startDenoRelay(options);
    return {
      url: relay.url,
      async stats(room) {
        const [stats, rooms] = await Promise.all([relay.stats(), relay.rooms()]);
        return { ...stats, members: rooms.find((r) => r.room === room)?.members ?? [] };
      },
      close: () => relay.stop(),
    };
  },
};

export const relayKinds: readonly RelayKind[] = [nodeRelay, durableObjectRelay, denoRelay];

/**
 * The relay on Cloudflare: a Worker and one Durable Object per room, speaking the same
 * protocol as the Node relay to the same clients. Import from
 * `@webraft/transport-ws/durable-object`.
 */
export { createRelay, type DurableObjectRelay, type DurableObjectRelayConfig, type RelayRoomObject, type RoomObjectStats, type WorkerRelayStats } from './relay.ts';
export { relayOptionsFromEnv, relayEnvironment, type DurableObjectRelayOptions } from './options.ts';
export type { DurableObjectNamespaceLike, DurableObjectStateLike, DurableWebSocket } from './platform.ts';
export { RelayOptionsError } from '../rooms/options.ts';
export type { AdmissionRequestOf } from '../rooms/admission.ts';
export type { RoomRelayStats } from '../rooms/stats.ts';
export { mintRoomToken, verifyRoomToken, RoomTokenError, type RoomTokenClaims, type TokenRejectReason } from '../token.ts';
export { CloseCode } from '../protocol.ts';

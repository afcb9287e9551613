/**
 * The relay on Deno, speaking the same protocol as the Node relay to the same clients. Import
 * from `@webraft/transport-ws/deno`.
 */
export { createRelayHandler, serveRelay, type DenoRelay, type DenoRelayHandler, type DenoRelayOptions, type DenoServeOptions } from './relay.ts';
export { RelayOptionsError } from '../rooms/options.ts';
export type { AdmissionRequestOf } from '../rooms/admission.ts';
export type { RoomRelayStats } from '../rooms/stats.ts';
export { mintRoomToken, verifyRoomToken, RoomTokenError, type RoomTokenClaims, type TokenRejectReason } from '../token.ts';
export { CloseCode } from '../protocol.ts';

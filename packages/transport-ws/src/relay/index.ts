/** The relay server (Node only). Import from `@webraft/transport-ws/relay`. */
export { startRelay, type Relay } from './server.ts';
export { RelayOptionsError, type RelayOptions } from './options.ts';
export type { ClusterStats, RelayStats } from './stats.ts';
export { RelayClusterError } from './cluster/link.ts';
export type { AdmissionRequest } from './admission.ts';
export { mintRoomToken, verifyRoomToken, RoomTokenError, type RoomTokenClaims, type TokenRejectReason } from '../token.ts';
export { CloseCode } from '../protocol.ts';
export { FaultTable, type LinkFault, type LinkFaultRule } from '../faults.ts';
export { main } from './cli.ts';

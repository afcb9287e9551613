export { FaultTable, FaultRuleError, parseLinkFaultRule, type LinkFault, type LinkFaultRule, type FaultVerdict } from './faults.ts';
export { CloseCode, isFatalClose } from './protocol.ts';
export { mintRoomToken, verifyRoomToken, RoomTokenError, type RoomTokenClaims, type TokenRejectReason } from './token.ts';

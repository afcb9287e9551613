export type * from './raft/types.ts';
export { emptyHardState, memberStatuses, memberWishes, messageTypes } from './raft/types.ts';
export type * from './raft/contract.ts';
export type * from './storage/log-store.ts';
export type * from './transport/transport.ts';
export type * from './node/state-machine.ts';
export * from './storage/errors.ts';
export { checkLogWrite, emptyLogBounds } from './storage/check-write.ts';
export type { LogBounds } from './storage/check-write.ts';
export { MemoryLogStore, createMemoryLogData } from './storage/memory.ts';
export { Slab } from './slab.ts';
export type { MemoryLogData, MemoryLogStoreOptions } from './storage/memory.ts';
export * from './codec/index.ts';
export { RawNode, RaftRestoreError, RaftUsageError } from './raft/raw-node.ts';
export { RaftConfigError } from './raft/options.ts';
export { encodeConfChange, decodeConfChange, ConfChangeDecodeError } from './raft/conf-change-codec.ts';
export { applyConfChange, emptyConfState } from './raft/confchange.ts';
export type { ConfChangeResult } from './raft/confchange.ts';
export { RaftNode } from './node/raft-node.ts';
export { ClientSession } from './node/client-session.ts';
export type { JoinOptions } from './node/join.ts';
export type { SessionProposeOptions } from './node/client-session.ts';
export type * from './node/options.ts';
export * from './node/errors.ts';
export { ReplayedApplyError } from './node/applier.ts';
export { jsonCodec, bytesCodec, JsonCodecError, type JsonCodecOptions } from './node/codecs.ts';
export { systemClock } from './node/clock.ts';
export { broadcastChannelTransport } from './transport/broadcast-channel.ts';
export type {
  BroadcastChannelConstructor,
  BroadcastChannelLike,
  BroadcastChannelTransport,
  BroadcastChannelTransportOptions,
  BroadcastChannelTransportStats,
} from './transport/broadcast-channel.ts';

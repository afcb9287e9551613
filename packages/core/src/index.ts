export type * from './raft/types.ts';
export { emptyHardState, messageTypes } from './raft/types.ts';
export type * from './raft/contract.ts';
export type * from './storage/log-store.ts';
export type * from './transport/transport.ts';
export type * from './node/state-machine.ts';

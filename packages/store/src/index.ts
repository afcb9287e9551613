export { createReplicatedStore, jsonStateSerializer } from './store.ts';
export type { ReplicatedStore, ReplicatedStoreOptions, StateChange, StateListener, StateSerializer } from './store.ts';
export { createTabStore } from './tab.ts';
export type { TabStoreOptions } from './tab.ts';
export { withResult } from './reducer.ts';
export type { Reduced, Reducer, WithResult } from './reducer.ts';

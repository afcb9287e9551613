import { broadcastChannelTransport } from '@webraft/core';
import type { FrameSecret } from '@webraft/core';
import { indexedDBLogStore } from '@webraft/log-indexeddb';
import type { IndexedDBLogStoreOptions } from '@webraft/log-indexeddb';
import { createReplicatedStore } from './store.ts';
import type { ReplicatedStore, ReplicatedStoreOptions } from './store.ts';

export interface TabStoreOptions<S, C, R>
  extends Omit<ReplicatedStoreOptions<S, C, R>, 'log' | 'transport'> {
  /** Names the cluster: its BroadcastChannel and the prefix of each node's IndexedDB database. */
  readonly name: string;
  /** Authenticates every message between the tabs (see the codec's frame secret). */
  readonly secret?: FrameSecret;
  /** Passed to `indexedDBLogStore` (e.g. `persist: true`, `onLocked: 'wait'`). */
  readonly logOptions?: Omit<IndexedDBLogStoreOptions, 'name' | 'nodeId' | 'clusterId'>;
}

/**
 * A replicated store for the tabs of one origin: BroadcastChannel between the tabs and an
 * IndexedDB log per node, so state survives reloads and works offline. Each tab runs one node;
 * `id` must be unique among the open tabs (the IndexedDB store's lock refuses a second owner).
 */
export function createTabStore<S, C, R = undefined>(options: TabStoreOptions<S, C, R>): Promise<ReplicatedStore<S, C, R>> {
  const { name, secret, logOptions, ...rest } = options;
  return createReplicatedStore<S, C, R>({
    ...rest,
    transport: broadcastChannelTransport({ channel: `webraft:${name}`, nodeId: options.id, clusterId: name, ...(secret ? { secret } : {}) }),
    log: indexedDBLogStore({ ...logOptions, name: `webraft:${name}:${options.id}`, nodeId: options.id, clusterId: name }),
  });
}

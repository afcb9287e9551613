import type { LogStoreError } from '@webraft/core';
import type { WipeMarker } from './identity.ts';

export interface IndexedDBLogStoreOptions {
  /** The IndexedDB database name; one database per node. Also names the Web Lock and the wipe marker. */
  readonly name: string;
  /**
   * The node that keeps its log here. Stored in the identity record at creation; opening the
   * database under another id raises IdentityMismatchError.
   * @default ''
   */
  readonly nodeId?: string;
  /** The cluster the node belongs to; checked like `nodeId`. @default '' */
  readonly clusterId?: string;
  /**
   * What `load()` does when another tab or worker owns the store: reject with
   * StoreLockedError, or wait until the owner closes it or goes away.
   * @default 'error'
   */
  readonly onLocked?: 'error' | 'wait';
  /** Cancels waiting for the lock (`onLocked: 'wait'`). */
  readonly signal?: AbortSignal;
  /**
   * The application knows this node kept state here before (e.g. it is listed as a member);
   * a store found empty then raises StoreWipedError instead of starting fresh.
   * @default false
   */
  readonly expectExisting?: boolean;
  /**
   * Where to remember which node kept state under this name, so that a wiped database is
   * noticed even without `expectExisting`. `false` turns this off.
   * @default localStorage where it exists, otherwise off
   */
  readonly wipeMarker?: WipeMarker | false;
  /** Ask the browser to make the origin's storage persistent (`navigator.storage.persist()`). @default false */
  readonly persist?: boolean;
  /** Snapshots are stored in chunks of at most this many bytes. @default 1048576 */
  readonly snapshotChunkBytes?: number;
  /** @default globalThis.indexedDB */
  readonly indexedDB?: IDBFactory;
  /**
   * The Web Locks manager that makes one context the store's owner. `false` runs without an
   * ownership lock: only when nothing else can open the same database.
   * @default navigator.locks
   */
  readonly locks?: LockManager | false;
  /** Called with every error also dispatched as an `error` event. */
  readonly onError?: (error: LogStoreError) => void;
}

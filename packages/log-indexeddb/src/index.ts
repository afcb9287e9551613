export { indexedDBLogStore, IndexedDBLogStore } from './store.ts';
export type { IndexedDBLogStoreOptions } from './options.ts';
export {
  CorruptRecordError,
  IdentityMismatchError,
  SchemaMismatchError,
  StorageQuotaError,
  StoreBlockedError,
  StoreClosedError,
  StoreErrorEvent,
  StoreFailedError,
  StoreLockedError,
  StoreWipedError,
  TransactionAbortedError,
} from './errors.ts';
export type { CloseReason } from './errors.ts';
export { LocksUnavailableError, lockName } from './lock.ts';
export { localStorageWipeMarker, memoryWipeMarker } from './identity.ts';
export type { WipeMarker, WipeMarkerRecord } from './identity.ts';
export type { IdentityRecord } from './records.ts';
export { deleteIndexedDBLogStore } from './delete.ts';

export { durableObjectLogStore, DurableObjectLogStore } from './store.ts';
export type { DurableObjectLogStoreOptions } from './options.ts';
export type { DurableObjectStorageLike, DurableObjectTransactionLike } from './storage.ts';
export { CorruptRecordError, DurableObjectLogStoreOptionsError, StorageQuotaError, StorageReadError, StoreFailedError, StoreInUseError, TransactionFailedError } from './errors.ts';

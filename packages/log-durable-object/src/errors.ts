import { LogCorruptError, LogQuotaError, LogStoreClosedError, LogStoreError } from '@webraft/core';

/**
 * The errors of this store. Each extends one of `@webraft/core`'s LogStore errors, so a
 * driver that only knows `LogStoreError.code` still tells them apart.
 */

/** Options the store cannot work with; the message names the option. */
export class DurableObjectLogStoreOptionsError extends Error {
  override readonly name = 'DurableObjectLogStoreOptionsError';
}

/** `load()`: another store of this object (this isolate) has the same prefix open. */
export class StoreInUseError extends LogStoreClosedError {
  constructor(readonly prefix: string) {
    super(`a log store with prefix ${JSON.stringify(prefix)} is already open in this Durable Object; close it first`);
    this.name = 'StoreInUseError';
  }
}

/** The object's storage is full (Durable Object storage has a size limit per object and per account). */
export class StorageQuotaError extends LogQuotaError {
  constructor(cause: unknown) {
    super(`Durable Object storage refused the write for lack of space: ${describe(cause)}`, { cause });
    this.name = 'StorageQuotaError';
  }
}

/** The storage transaction failed for another reason; nothing of it was stored. */
export class TransactionFailedError extends LogStoreError {
  constructor(cause: unknown) {
    super('aborted', `the Durable Object storage transaction failed, nothing of it was stored: ${describe(cause)}`, { cause });
    this.name = 'TransactionFailedError';
  }
}

/**
 * A write after a failed one. The store refuses every write until it is opened again, so no
 * later write can land after a lost one and leave a hole.
 */
export class StoreFailedError extends LogStoreClosedError {
  constructor(readonly failure: LogStoreError) {
    super(`the log store failed earlier (${failure.message}); open it again`);
    this.name = 'StoreFailedError';
  }
}

/** Reading the object's storage failed (the object reset, a storage error); nothing was changed. */
export class StorageReadError extends LogStoreError {
  constructor(cause: unknown) {
    super('aborted', `reading the Durable Object storage failed: ${describe(cause)}`, { cause });
    this.name = 'StorageReadError';
  }
}

/** What was read back is not a log this store wrote: a damaged record, or another program's keys under the prefix. */
export class CorruptRecordError extends LogCorruptError {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`Durable Object log record ${key}: ${detail}`);
    this.name = 'CorruptRecordError';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The store's error for a failed storage transaction: quota, or aborted. */
export function storageFailure(error: unknown): LogStoreError {
  if (error instanceof LogStoreError) return error;
  const text = describe(error);
  if (/quota|exceeded|storage limit|SQLITE_FULL|disk is full|no space/i.test(text)) return new StorageQuotaError(error);
  return new TransactionFailedError(error);
}

/** The store's error for a failed read: its own errors as they are, anything else a {@link StorageReadError}. */
export function readFailure(error: unknown): LogStoreError {
  return error instanceof LogStoreError ? error : new StorageReadError(error);
}

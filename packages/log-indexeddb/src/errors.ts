import {
  LogCorruptError,
  LogQuotaError,
  LogStoreClosedError,
  LogStoreError,
} from '@webraft/core';

/**
 * The errors of this store. Each extends one of `@webraft/core`'s LogStore errors, so a
 * driver that only knows `LogStoreError.code` still tells them apart; the subclasses add what
 * an application needs to act in a browser.
 */

/** Another tab or worker owns the store (Web Locks); raised by `load()` with `onLocked: 'error'`. */
export class StoreLockedError extends LogStoreClosedError {
  constructor(readonly store: string) {
    super(`log store "${store}" is owned by another tab or worker`);
    this.name = 'StoreLockedError';
  }
}

export type CloseReason = 'closed' | 'versionchange' | 'deleted' | 'terminated';

/**
 * The connection is gone: closed by `close()`, given up for another connection's upgrade
 * (`versionchange`), for a `deleteDatabase` (`deleted`), or closed by the browser
 * (`terminated`: storage cleared or evicted, or an I/O error).
 */
export class StoreClosedError extends LogStoreClosedError {
  constructor(
    readonly store: string,
    readonly reason: CloseReason,
  ) {
    super(`log store "${store}" is closed (${reason})`);
    this.name = 'StoreClosedError';
  }
}

/** An earlier write failed; the store refuses writes until it is reopened, so no hole can form. */
export class StoreFailedError extends LogStoreClosedError {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`log store "${store}" refuses writes after a failed write; reopen it`);
    this.name = 'StoreFailedError';
    this.cause = cause;
  }
}

/** The browser refused a write for lack of space (`QuotaExceededError`). Nothing of it was stored. */
export class StorageQuotaError extends LogQuotaError {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`log store "${store}": storage quota exceeded`, { cause });
    this.name = 'StorageQuotaError';
  }
}

/** The browser aborted a transaction (I/O error, forced close, ...). Nothing of it was stored. */
export class TransactionAbortedError extends LogStoreError {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super('aborted', `log store "${store}": transaction aborted${describe(cause)}`, { cause });
    this.name = 'TransactionAbortedError';
  }
}

/** A record read back does not have the shape this store writes. */
export class CorruptRecordError extends LogCorruptError {
  constructor(
    readonly store: string,
    readonly objectStore: string,
    readonly key: IDBValidKey,
    readonly detail: string,
  ) {
    super(`log store "${store}": corrupt record ${objectStore}[${String(key)}]: ${detail}`);
    this.name = 'CorruptRecordError';
  }
}

/**
 * The durable state of this node vanished (the database was deleted, cleared or evicted)
 * while the application expected it. The node has forgotten its votes and the entries it
 * acknowledged, so it must not take part under its old id: rejoin as a new member under a
 * new id.
 */
export class StoreWipedError extends LogCorruptError {
  constructor(
    readonly store: string,
    readonly detail: string,
  ) {
    super(`log store "${store}" lost its durable state: ${detail}`);
    this.name = 'StoreWipedError';
  }
}

/** The database belongs to another node or cluster than the one opening it. */
export class IdentityMismatchError extends LogCorruptError {
  constructor(
    readonly store: string,
    readonly expected: { readonly clusterId: string; readonly nodeId: string },
    readonly found: { readonly clusterId: string; readonly nodeId: string },
  ) {
    super(
      `log store "${store}" belongs to node "${found.nodeId}" of cluster "${found.clusterId}", ` +
        `not node "${expected.nodeId}" of cluster "${expected.clusterId}"`,
    );
    this.name = 'IdentityMismatchError';
  }
}

/** The database has a version or layout this code does not know (newer code, or another app's database). */
export class SchemaMismatchError extends LogCorruptError {
  constructor(
    readonly store: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`log store "${store}": ${detail}`, options);
    this.name = 'SchemaMismatchError';
  }
}

/** Opening waits for another connection to close (an older tab holds the database open). Not fatal. */
export class StoreBlockedError extends LogStoreError {
  constructor(readonly store: string) {
    super('closed', `log store "${store}": opening is blocked by another open connection`);
    this.name = 'StoreBlockedError';
  }
}

/** Dispatched as the store's `error` event. */
export class StoreErrorEvent extends Event {
  constructor(readonly error: LogStoreError) {
    super('error');
  }
}

function describe(cause: unknown): string {
  if (typeof cause === 'object' && cause !== null && 'name' in cause) {
    const { name, message } = cause as { name: unknown; message?: unknown };
    return `: ${String(name)}${typeof message === 'string' && message !== '' ? ` (${message})` : ''}`;
  }
  return '';
}

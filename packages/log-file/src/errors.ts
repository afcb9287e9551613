import { LogCorruptError, LogQuotaError, LogStoreClosedError, LogStoreError } from '@webraft/core';

/**
 * The errors of this store. Each extends one of `@webraft/core`'s LogStore errors, so a
 * driver that only knows `LogStoreError.code` still tells them apart; the subclasses name the
 * directory, file and offset an operator needs.
 */

/** What a lock file says about the process that owns the directory. */
export interface LockOwner {
  readonly pid: number;
  /** The process's start time as the OS reports it (Linux: clock ticks since boot), '' where unknown. */
  readonly start: string;
  /** The runtime that took the lock (`node`, `deno`, `bun`), for the message. */
  readonly runtime: string;
}

/** `load()`: a live process (maybe this one) owns the directory. */
export class StoreLockedError extends LogStoreClosedError {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(`log directory ${dir} is owned by ${owner.runtime} process ${owner.pid}, which is still running`);
    this.name = 'StoreLockedError';
  }
}

/**
 * `load()`: the lock names another process and this one cannot tell whether it still runs
 * (in Deno: no `--allow-run`). The lock is left alone rather than taken from a live owner.
 */
export class LockCheckFailedError extends LogStoreClosedError {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
    cause: unknown,
  ) {
    super(`log directory ${dir} is locked by ${owner.runtime} process ${owner.pid}, and whether it still runs cannot be checked (${(cause as Error)?.message ?? String(cause)})`);
    this.name = 'LockCheckFailedError';
    this.cause = cause;
  }
}

/** The store was closed (by `close()`) before the operation. */
export class StoreClosedError extends LogStoreClosedError {
  constructor(readonly dir: string) {
    super(`log directory ${dir}: the store is closed`);
    this.name = 'StoreClosedError';
  }
}

/** An earlier write failed; the store refuses writes until it is reopened, so no hole can form. */
export class StoreFailedError extends LogStoreClosedError {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(`log directory ${dir} refuses writes after a failed write; reopen it`);
    this.name = 'StoreFailedError';
    this.cause = cause;
  }
}

/** The disk or the quota is full (ENOSPC, EDQUOT, EFBIG). Nothing of the failed writes counts as stored. */
export class DiskFullError extends LogQuotaError {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(`log directory ${dir}: no space left (${errorCode(cause)})`, { cause });
    this.name = 'DiskFullError';
  }
}

/** Any other I/O failure (EIO, EROFS, a removed directory, ...). Nothing of the failed writes counts as stored. */
export class WriteFailedError extends LogStoreError {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super('aborted', `log directory ${dir}: write failed (${errorCode(cause)}: ${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.name = 'WriteFailedError';
  }
}

/**
 * A file holds something this store did not write: a damaged record before the end of the
 * log, a bad segment or snapshot header, a missing segment. `offset` is the byte where the
 * damage starts. Never raised for a torn tail (an unfinished last write), which is cut.
 */
export class CorruptLogError extends LogCorruptError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`corrupt log file ${file} at byte ${offset}: ${detail}`);
    this.name = 'CorruptLogError';
  }
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

const fullCodes = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** The typed error for an I/O failure of a write. */
export function writeError(dir: string, cause: unknown): LogStoreError {
  if (cause instanceof LogStoreError) return cause;
  return fullCodes.has(errorCode(cause)) ? new DiskFullError(dir, cause) : new WriteFailedError(dir, cause);
}

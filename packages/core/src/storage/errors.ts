/**
 * Typed failures of a {@link LogStore} write. Every implementation rejects with one of these
 * (or a subclass) so a driver can tell a caller's bug (`hole`, `compaction`, `invalid`) from an
 * environment failure (`quota`, `aborted`, `closed`, `corrupt`).
 */

/** Why a LogStore refused a write or a read. */
export type LogStoreErrorCode =
  /** The store was closed (or crashed) before the operation ran. */
  | 'closed'
  /** The entries would leave a gap after the last stored index. */
  | 'hole'
  /** `compactTo` lies beyond the latest durable snapshot. */
  | 'compaction'
  /** A field of the batch is malformed (negative index, entries out of order, older snapshot...). */
  | 'invalid'
  /** The backing storage is full. */
  | 'quota'
  /** The backing storage aborted the transaction for another reason. */
  | 'aborted'
  /** What was read back is not a valid log (a damaged or foreign store). */
  | 'corrupt';

export class LogStoreError extends Error {
  readonly code: LogStoreErrorCode;

  constructor(code: LogStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'LogStoreError';
  }
}

export class LogStoreClosedError extends LogStoreError {
  constructor(message = 'the log store is closed') {
    super('closed', message);
    this.name = 'LogStoreClosedError';
  }
}

export class LogHoleError extends LogStoreError {
  constructor(message: string) {
    super('hole', message);
    this.name = 'LogHoleError';
  }
}

export class LogCompactionError extends LogStoreError {
  constructor(message: string) {
    super('compaction', message);
    this.name = 'LogCompactionError';
  }
}

export class InvalidLogWriteError extends LogStoreError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'InvalidLogWriteError';
  }
}

export class LogQuotaError extends LogStoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('quota', message, options);
    this.name = 'LogQuotaError';
  }
}

export class LogCorruptError extends LogStoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('corrupt', message, options);
    this.name = 'LogCorruptError';
  }
}

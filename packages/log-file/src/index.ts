export { fileLogStore, FileLogStore } from './store.ts';
export type { RecoveryReport } from './store.ts';
export type { FileLogStoreOptions } from './options.ts';
export type { TornTail } from './replay.ts';
export {
  CorruptLogError,
  DiskFullError,
  LockCheckFailedError,
  StoreClosedError,
  StoreFailedError,
  StoreLockedError,
  WriteFailedError,
} from './errors.ts';
export type { LockOwner } from './errors.ts';
export { nodeFileSystem } from './file-system.ts';
export type { LogFile, LogFileSystem } from './file-system.ts';
export { processLockHost } from './lock.ts';
export type { LockHost } from './lock.ts';
export { crc32c } from './crc32c.ts';

import type { LogFileSystem } from './file-system.ts';
import type { LockHost } from './lock.ts';

export interface FileLogStoreOptions {
  /** The directory of this node's log; created when missing. One store (one process) at a time. */
  readonly dir: string;
  /**
   * A new segment file is started once the active one reaches this many bytes; compaction
   * deletes whole segments, so this is also the granularity at which disk space comes back.
   * @default 16777216 (16 MiB)
   */
  readonly segmentBytes?: number;
  /** The file operations, through `node:fs` unless replaced (a disk that fails or loses writes, in tests). @default nodeFileSystem() */
  readonly fileSystem?: LogFileSystem;
  /** Who this process is and whether a lock's owner still runs. @default processLockHost() */
  readonly lockHost?: LockHost;
}

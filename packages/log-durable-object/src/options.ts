import { DurableObjectLogStoreOptionsError } from './errors.ts';
import { maxValueBytes } from './storage.ts';

export interface DurableObjectLogStoreOptions {
  /**
   * Prefix of every key the store writes, so one object can hold several logs, or a log
   * beside its own data. At most 512 bytes. @default 'raft:'
   */
  readonly prefix?: string;
  /**
   * Entry data and snapshots longer than this are split into values of this size (a Durable
   * Object value holds at most 128 KiB); between 1 KiB and 126 KiB. @default 126 KiB
   */
  readonly chunkBytes?: number;
}

export interface ResolvedOptions {
  readonly prefix: string;
  readonly chunkBytes: number;
}

/** What a value may hold besides its data: the entry record's other fields, serialized. */
const recordOverhead = 2 * 1024;

export function resolveOptions(options: DurableObjectLogStoreOptions): ResolvedOptions {
  const prefix = options.prefix ?? 'raft:';
  const chunkBytes = options.chunkBytes ?? maxValueBytes - recordOverhead;
  if (typeof prefix !== 'string' || new TextEncoder().encode(prefix).length > 512) {
    throw new DurableObjectLogStoreOptionsError(`\`prefix\` must be a string of at most 512 bytes, got ${typeof prefix === 'string' ? `${prefix.length} characters` : typeof prefix}`);
  }
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1024 || chunkBytes > maxValueBytes - recordOverhead) {
    throw new DurableObjectLogStoreOptionsError(`\`chunkBytes\` must be an integer in [1024, ${maxValueBytes - recordOverhead}], got ${String(chunkBytes)}`);
  }
  return { prefix, chunkBytes };
}

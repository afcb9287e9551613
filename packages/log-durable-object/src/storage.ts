/**
 * The part of a Durable Object's `state.storage` the store uses, typed here so the package
 * needs no Workers type package: the real storage (and `@cloudflare/workers-types`' type) fits.
 */

/** `state.storage` (`ctx.storage`) of a Durable Object: transactional key-value storage. */
export interface DurableObjectStorageLike {
  /** The values of `keys` (at most 128) that exist. */
  get(keys: string[]): Promise<Map<string, unknown>>;
  /** The keys in [start, end) (or with `prefix`), in order, at most `limit`. */
  list(options: { start?: string; end?: string; prefix?: string; limit?: number }): Promise<Map<string, unknown>>;
  /** Runs `closure` as one transaction: all of its writes land, or none. */
  transaction<T>(closure: (txn: DurableObjectTransactionLike) => Promise<T>): Promise<T>;
  /** Resolves once every write so far is on disk (where the runtime has it). */
  sync?(): Promise<void>;
}

export interface DurableObjectTransactionLike {
  /** Writes at most 128 keys. */
  put(entries: Record<string, unknown>): Promise<void>;
  /** Deletes at most 128 keys. */
  delete(keys: string[]): Promise<number>;
}

/** Durable Object storage refuses a value larger than this (serialized). */
export const maxValueBytes = 128 * 1024;
/** Durable Object storage refuses more keys than this in one get, put or delete. */
export const maxKeysPerCall = 128;

import 'fake-indexeddb/auto';
import { indexedDBLogStore, type IndexedDBLogStoreOptions, type WipeMarker, memoryWipeMarker } from '../src/index.ts';

/**
 * An in-process LockManager with the exclusive-lock semantics the store relies on
 * (`ifAvailable`, waiting in request order, `signal`), for Node where `navigator.locks` is missing.
 */
export function memoryLocks(): LockManager {
  const held = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  const take = (name: string): Promise<void> => {
    if (!held.has(name)) {
      held.add(name);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = waiters.get(name) ?? [];
      queue.push(resolve);
      waiters.set(name, queue);
    });
  };
  const give = (name: string): void => {
    const next = waiters.get(name)?.shift();
    if (next) next();
    else held.delete(name);
  };
  const request = async (name: string, options: LockOptions, callback: LockGrantedCallback<unknown>) => {
    if (options.ifAvailable && held.has(name)) return callback(null);
    if (options.signal?.aborted) throw options.signal.reason;
    let granted = take(name);
    if (options.signal) {
      const signal = options.signal;
      granted = Promise.race([
        granted,
        new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
      ]);
    }
    await granted;
    try {
      return await callback({ name, mode: 'exclusive' } as Lock);
    } finally {
      give(name);
    }
  };
  return { request, query: async () => ({ held: [], pending: [] }) } as unknown as LockManager;
}

let counter = 0;
export function uniqueName(prefix = 'store'): string {
  return `${prefix}-${Date.now().toString(36)}-${counter++}`;
}

/** Options shared by the Node tests: an in-process lock manager and marker, one per test file. */
export const locks = memoryLocks();
export const marker: WipeMarker = memoryWipeMarker();

export function openStore(name: string, extra: Partial<IndexedDBLogStoreOptions> = {}) {
  return indexedDBLogStore({ name, locks, wipeMarker: marker, ...extra });
}

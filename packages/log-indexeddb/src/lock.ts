import { LogStoreError } from '@webraft/core';
import { StoreLockedError } from './errors.ts';

/** Releases an ownership lock taken by {@link acquireOwnership}. */
export type Release = () => void;

/** `navigator.locks` is missing (an insecure context, or Node) and no opt-out was given. */
export class LocksUnavailableError extends LogStoreError {
  constructor(readonly store: string) {
    super(
      'closed',
      `log store "${store}": Web Locks (navigator.locks) are not available here; ` +
        'serve the page from a secure context, or pass `locks: false` to run without an ownership lock',
    );
    this.name = 'LocksUnavailableError';
  }
}

export function lockName(store: string): string {
  return `webraft-log-indexeddb:${store}`;
}

/**
 * Takes the exclusive Web Lock that makes this context the store's only owner. The lock is
 * held until `release()` or until the tab/worker goes away, which the browser notices even
 * on a crash, so a stale owner never blocks the store for good.
 */
export function acquireOwnership(
  locks: LockManager,
  store: string,
  onLocked: 'error' | 'wait',
  signal: AbortSignal | undefined,
): Promise<Release> {
  return new Promise<Release>((resolve, reject) => {
    const options: LockOptions = onLocked === 'error' ? { mode: 'exclusive', ifAvailable: true } : { mode: 'exclusive' };
    if (signal && onLocked === 'wait') options.signal = signal;
    locks
      .request(lockName(store), options, (lock) => {
        if (lock === null) {
          reject(new StoreLockedError(store));
          return undefined;
        }
        return new Promise<void>((release) => resolve(release));
      })
      .catch(reject);
  });
}

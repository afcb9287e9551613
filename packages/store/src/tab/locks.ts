/**
 * Web Locks as the liveness oracle of the tabs of one origin: a held lock is a live tab (or
 * worker), a free one is a gone one — the browser releases a context's locks when it closes,
 * crashes or is discarded. Exclusive locks only.
 */

/** A lock this context holds until `release()` (or until it goes away). */
export interface HeldLock {
  readonly name: string;
  release(): void;
}

/**
 * Takes lock `name`. With `wait: false` resolves with undefined at once when another context
 * holds it; with `wait: true` waits for it (FIFO among the waiters), resolving with undefined
 * when `signal` aborts first.
 */
export function takeLock(locks: LockManager, name: string, options: { readonly wait: boolean; readonly signal?: AbortSignal }): Promise<HeldLock | undefined> {
  return new Promise<HeldLock | undefined>((resolve, reject) => {
    const request: LockOptions = options.wait
      ? { mode: 'exclusive', ...(options.signal === undefined ? {} : { signal: options.signal }) }
      : { mode: 'exclusive', ifAvailable: true };
    locks
      .request(name, request, (lock) => {
        if (lock === null) {
          resolve(undefined);
          return undefined;
        }
        return new Promise<void>((release) => {
          let released = false;
          resolve({
            name,
            release: () => {
              if (released) return;
              released = true;
              release();
            },
          });
        });
      })
      .catch((error: unknown) => {
        if (options.signal?.aborted === true) resolve(undefined);
        else reject(error);
      });
  });
}

/** Names of the locks held now, and of the locks waited for, in this origin. */
export async function lockSnapshot(locks: LockManager): Promise<{ held: Set<string>; pending: Map<string, number> }> {
  const state = await locks.query();
  const held = new Set<string>();
  const pending = new Map<string, number>();
  for (const lock of state.held ?? []) if (lock.name !== undefined) held.add(lock.name);
  for (const lock of state.pending ?? []) if (lock.name !== undefined) pending.set(lock.name, (pending.get(lock.name) ?? 0) + 1);
  return { held, pending };
}

/** The lock and database names of one tab store. */
export class StoreNames {
  constructor(readonly store: string) {}

  get prefix(): string {
    return `webraft:${this.store}`;
  }
  /** Held by the tab that places free voter slots. */
  get allocator(): string {
    return `${this.prefix}:allocator`;
  }
  /** Held for a tab's whole life. */
  tab(tab: string): string {
    return `${this.prefix}:tab:${tab}`;
  }
  /** The tab whose lock this is, or undefined. */
  tabOf(lockName: string): string | undefined {
    const head = `${this.prefix}:tab:`;
    return lockName.startsWith(head) ? lockName.slice(head.length) : undefined;
  }
  /** Held by the tab that runs voter slot `slot`'s node. */
  slot(slot: number): string {
    return `${this.prefix}:slot:${slot}`;
  }
  /** Slot `slot`'s IndexedDB log: it moves with the slot from tab to tab. */
  slotDatabase(slot: number): string {
    return `${this.prefix}:slot:${slot}`;
  }
  /** The channel a node receives its Raft messages on. */
  nodeChannel(node: string): string {
    return `${this.prefix}:node:${node}`;
  }
  /** Where tabs tell each other what they run, and slots are offered. */
  get tabsChannel(): string {
    return `${this.prefix}:tabs`;
  }
}

/** Raft id of voter slot `slot` (1-based). */
export const slotNodeId = (slot: number): string => `s${slot}`;
/** Raft id of the learner of tab `tab`. */
export const learnerNodeId = (tab: string): string => `t-${tab}`;
/** The tab of a learner id, or undefined. */
export const tabOfLearner = (id: string): string | undefined => (id.startsWith('t-') ? id.slice(2) : undefined);

/**
 * React bindings of a tab store, over `useSyncExternalStore`: the component re-renders when the
 * selected part of the state (or the status) changes, in every tab at once.
 *
 * ```tsx
 * const todos = useTabStore(store, (state) => state.items);
 * const { connected, pendingWrites } = useTabStoreStatus(store);
 * ```
 */
import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { TabStore, TabStoreStatus } from './tab/client.ts';

/**
 * This tab's state, or the part `select` picks of it. `select` should return the same value
 * for the same state (pick, don't build new objects), or pass `equal` to compare.
 */
export function useTabStore<S, C, R, T = S>(
  store: TabStore<S, C, R>,
  select: (state: S) => T = (state) => state as unknown as T,
  equal: (a: T, b: T) => boolean = Object.is,
): T {
  const last = useRef<{ state: S; selected: T } | undefined>(undefined);
  const subscribe = useCallback((changed: () => void) => store.subscribe(changed), [store]);
  const snapshot = () => {
    const state = store.getState();
    const previous = last.current;
    if (previous !== undefined && previous.state === state) return previous.selected;
    const selected = select(state);
    if (previous !== undefined && equal(previous.selected, selected)) {
      last.current = { state, selected: previous.selected };
      return previous.selected;
    }
    last.current = { state, selected };
    return selected;
  };
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/** The store's status (connected, leader, pending writes, open tabs), re-rendered when it changes. */
export function useTabStoreStatus(store: TabStore<unknown, unknown, unknown>): TabStoreStatus {
  const subscribe = useCallback((changed: () => void) => store.onStatus(changed), [store]);
  return useSyncExternalStore(subscribe, () => store.status(), () => store.status());
}

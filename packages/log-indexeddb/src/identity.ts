/**
 * Wipe detection. A node that forgot its votes and acknowledged entries must not come back
 * under its old id, so the store remembers, outside IndexedDB, which node last kept state
 * under each database name. Browsers evict or clear IndexedDB on its own (quota eviction,
 * DevTools, `deleteDatabase`) in several ways that leave such a marker in place.
 */
export interface WipeMarkerRecord {
  readonly clusterId: string;
  readonly nodeId: string;
  readonly incarnation: string;
}

/** Where wipe markers are kept; synchronous like `localStorage`, the default. */
export interface WipeMarker {
  get(store: string): WipeMarkerRecord | undefined;
  set(store: string, record: WipeMarkerRecord): void;
  delete(store: string): void;
}

const prefix = 'webraft-log-indexeddb:';

/** A marker in `localStorage`, or undefined where there is none (Web Workers, Node). */
export function localStorageWipeMarker(): WipeMarker | undefined {
  let storage: Storage | undefined;
  try {
    storage = (globalThis as { localStorage?: Storage }).localStorage;
  } catch {
    // Reading localStorage throws when the page's storage access is blocked.
    return undefined;
  }
  if (!storage) return undefined;
  const s = storage;
  return {
    get(store) {
      const raw = s.getItem(prefix + store);
      if (raw === null) return undefined;
      try {
        const v = JSON.parse(raw) as Partial<WipeMarkerRecord>;
        if (typeof v.clusterId === 'string' && typeof v.nodeId === 'string' && typeof v.incarnation === 'string') {
          return { clusterId: v.clusterId, nodeId: v.nodeId, incarnation: v.incarnation };
        }
      } catch {
        // An unreadable marker is treated as absent; the database itself is still checked.
      }
      return undefined;
    },
    set(store, record) {
      s.setItem(prefix + store, JSON.stringify(record));
    },
    delete(store) {
      s.removeItem(prefix + store);
    },
  };
}

/** A marker kept in memory, for tests and for hosts that keep the marker elsewhere. */
export function memoryWipeMarker(): WipeMarker {
  const records = new Map<string, WipeMarkerRecord>();
  return {
    get: (store) => records.get(store),
    set: (store, record) => void records.set(store, record),
    delete: (store) => void records.delete(store),
  };
}

export function newIncarnation(): string {
  // randomUUID exists only in secure contexts; getRandomValues everywhere.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

import { logStoreConformance, runConformance } from '@webraft/core/testing';
import { forceCloseDatabase } from 'fake-indexeddb';
import { describe, it } from 'vitest';
import type { IndexedDBLogStore } from '../src/index.ts';
import { openStore } from './helpers.ts';

// The connection each store opened, so a crash can be modelled as the browser closing it.
const connections = new Map<string, IDBDatabase>();
const factory = {
  open(name: string, version?: number) {
    const request = indexedDB.open(name, version);
    request.addEventListener('success', () => connections.set(name, request.result));
    return request;
  },
} as IDBFactory;

runConformance(
  logStoreConformance((name) => openStore(name, { indexedDB: factory }), {
    // fake-indexeddb declares the parameter as the IDBDatabase class, though it takes a connection.
    crash: (store) => forceCloseDatabase(connections.get((store as IndexedDBLogStore).name)! as never),
  }),
  { describe, it },
  { title: 'IndexedDBLogStore (fake-indexeddb) conformance' },
);

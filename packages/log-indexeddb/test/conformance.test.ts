import { logStoreConformance, runConformance } from '@webraft/core/testing';
import { describe, it } from 'vitest';
import { openStore } from './helpers.ts';

runConformance(
  logStoreConformance((name) => openStore(name)),
  { describe, it },
  { title: 'IndexedDBLogStore (fake-indexeddb) conformance' },
);

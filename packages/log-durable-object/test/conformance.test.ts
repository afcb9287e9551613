import { logStoreConformance, runConformance } from '@webraft/core/testing';
import { describe, it } from 'vitest';
import { durableObjectLogStore } from '../src/index.ts';
import { FakeStorage } from './fake-storage.ts';

// One storage, as in one Durable Object: each store of the suite under a prefix of its own.
const storage = new FakeStorage();
runConformance(
  logStoreConformance((name) => durableObjectLogStore(storage, { prefix: `${name}:` })),
  { describe, it },
  { title: 'DurableObjectLogStore (storage with the limits of Durable Objects) conformance' },
);

// Small chunks: most data is split, and a large entry takes more keys than one call may name.
const chunked = new FakeStorage();
runConformance(
  logStoreConformance((name) => durableObjectLogStore(chunked, { prefix: `${name}:`, chunkBytes: 1024 })),
  { describe, it },
  { title: 'DurableObjectLogStore (1 KiB chunks) conformance' },
);

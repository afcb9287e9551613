/**
 * The LogStore conformance suite for `@webraft/log-durable-object`, and a RaftNode cluster
 * with a voter on that store restarted, on the storage of the Durable Object that runs them
 * (workerd: `workerd.ts`). Each store has a prefix of its own in the one object, as several
 * logs (or a log beside other data) would.
 */
import { durableObjectLogStore, type DurableObjectStorageLike } from '../../packages/log-durable-object/src/index.ts';
import { durableVoterRestart } from '../../packages/log-durable-object/test/durable-voter.ts';
import { logStoreConformance, type ConformanceCase } from '../../packages/core/src/testing/index.ts';

/** `backend` names the storage in the case names (a Durable Object's storage is key-value or SQLite-backed). */
export function durableObjectLogCases(storage: DurableObjectStorageLike, backend: string): ConformanceCase[] {
  const plain = logStoreConformance((name) => durableObjectLogStore(storage, { prefix: `${name}:` }));
  // Small chunks: most data is split, and the suite's 1 MiB entry takes over a thousand keys.
  const chunked = logStoreConformance((name) => durableObjectLogStore(storage, { prefix: `${name}:`, chunkBytes: 1024 }));
  return [
    ...plain.map((c) => ({ ...c, name: `DurableObjectLogStore (${backend}) ${c.name}` })),
    ...chunked.map((c) => ({ ...c, name: `DurableObjectLogStore (${backend}, 1 KiB chunks) ${c.name}` })),
    {
      name: `DurableObjectLogStore (${backend}) as a RaftNode voter: restarted with its log, carries a quorum`,
      run: async () => void (await durableVoterRestart(storage, { prefix: 'voter:' })),
    },
  ];
}

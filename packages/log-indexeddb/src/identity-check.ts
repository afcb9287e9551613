import type { IDBPDatabase } from 'idb';
import { IdentityMismatchError, StoreWipedError } from './errors.ts';
import { newIncarnation, type WipeMarker } from './identity.ts';
import type { DatabaseContents } from './read.ts';
import { IDENTITY_KEY, type IdentityRecord, META } from './records.ts';

export interface IdentityExpectation {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly expectExisting: boolean;
  readonly marker: WipeMarker | undefined;
}

/**
 * Makes sure the database holds this node's state and not a wiped or foreign one, creating
 * the identity record of a brand-new database. Returns the identity in force.
 */
export async function checkIdentity(
  db: IDBPDatabase,
  store: string,
  contents: DatabaseContents,
  expected: IdentityExpectation,
): Promise<IdentityRecord> {
  const { nodeId, clusterId, marker } = expected;
  const remembered = marker?.get(store);
  const found = contents.identity;

  if (found === undefined) {
    if (expected.expectExisting) {
      throw new StoreWipedError(store, 'the database is empty but the application expected this node\'s state');
    }
    if (remembered && remembered.nodeId === nodeId && remembered.clusterId === clusterId) {
      throw new StoreWipedError(
        store,
        `node "${nodeId}" kept state here (incarnation ${remembered.incarnation}) and the database is now empty`,
      );
    }
    const identity: IdentityRecord = { format: 1, clusterId, nodeId, incarnation: newIncarnation(), createdAt: Date.now() };
    const tx = db.transaction(META, 'readwrite', { durability: 'strict' });
    await Promise.all([tx.store.put(identity, IDENTITY_KEY), tx.done]);
    // Only once the identity is durable: a marker must never name a database that does not exist.
    marker?.set(store, { clusterId, nodeId, incarnation: identity.incarnation });
    return identity;
  }

  if (found.nodeId !== nodeId || found.clusterId !== clusterId) {
    throw new IdentityMismatchError(store, { clusterId, nodeId }, { clusterId: found.clusterId, nodeId: found.nodeId });
  }
  if (remembered && remembered.nodeId === nodeId && remembered.clusterId === clusterId && remembered.incarnation !== found.incarnation) {
    throw new StoreWipedError(
      store,
      `the database was recreated (incarnation ${found.incarnation}, expected ${remembered.incarnation})`,
    );
  }
  if (!remembered || remembered.incarnation !== found.incarnation) {
    marker?.set(store, { clusterId, nodeId, incarnation: found.incarnation });
  }
  return found;
}

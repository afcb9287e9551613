import { deleteDB } from 'idb';
import { localStorageWipeMarker, type WipeMarker } from './identity.ts';

/**
 * Deletes a store's database and forgets its wipe marker: for a node that leaves the
 * cluster for good, or rejoins under a new id. An open store on it closes with
 * StoreClosedError (reason `deleted`).
 */
export async function deleteIndexedDBLogStore(
  name: string,
  options: { readonly wipeMarker?: WipeMarker | false } = {},
): Promise<void> {
  await deleteDB(name);
  const marker = options.wipeMarker === false ? undefined : (options.wipeMarker ?? localStorageWipeMarker());
  marker?.delete(name);
}

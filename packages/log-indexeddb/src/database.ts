import { type IDBPDatabase, wrap } from 'idb';
import { SchemaMismatchError } from './errors.ts';
import { CHUNKS, META, OBJECT_STORES, RUNS, SCHEMA_VERSION } from './records.ts';

export interface OpenHandlers {
  /** Opening waits for an older connection to close. */
  blocked(): void;
  /** Another connection wants to upgrade (`newVersion`) or delete (`null`) the database. */
  versionchange(newVersion: number | null): void;
  /** The browser closed the connection (storage cleared or evicted, I/O error). */
  terminated(): void;
}

/** Opens (creating on first use) the database and checks it has this store's layout. */
export async function openDatabase(factory: IDBFactory, name: string, handlers: OpenHandlers): Promise<IDBPDatabase> {
  let request: IDBOpenDBRequest;
  try {
    request = factory.open(name, SCHEMA_VERSION);
  } catch (e) {
    throw new SchemaMismatchError(name, 'cannot open the database', { cause: e });
  }
  request.addEventListener('upgradeneeded', (event) => {
    if (event.oldVersion !== 0) return;
    const db = request.result;
    db.createObjectStore(META);
    db.createObjectStore(RUNS);
    db.createObjectStore(CHUNKS);
  });
  request.addEventListener('blocked', () => handlers.blocked());
  let db: IDBPDatabase | undefined;
  try {
    db = await wrap(request);
  } catch (e) {
    const detail =
      e instanceof DOMException && e.name === 'VersionError'
        ? `the database has a newer version than ${SCHEMA_VERSION}`
        : 'cannot open the database';
    throw new SchemaMismatchError(name, detail, { cause: e });
  }
  if (!db) throw new SchemaMismatchError(name, 'opening the database gave no connection');
  const missing = OBJECT_STORES.filter((s) => !db.objectStoreNames.contains(s));
  if (missing.length > 0) {
    db.close();
    throw new SchemaMismatchError(name, `the database lacks object stores ${missing.join(', ')}`);
  }
  db.addEventListener('versionchange', (event) => handlers.versionchange(event.newVersion));
  db.addEventListener('close', () => handlers.terminated());
  return db;
}

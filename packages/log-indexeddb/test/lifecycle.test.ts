import { entryRange } from '@webraft/core/testing';
import { forceCloseDatabase } from 'fake-indexeddb';
import { deleteDB, openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import {
  CorruptRecordError,
  deleteIndexedDBLogStore,
  IdentityMismatchError,
  indexedDBLogStore,
  LocksUnavailableError,
  memoryWipeMarker,
  StoreClosedError,
  type StoreErrorEvent,
  StoreLockedError,
  StoreWipedError,
} from '../src/index.ts';
import { locks, marker, openStore, uniqueName } from './helpers.ts';

function errorsOf(target: EventTarget): unknown[] {
  const errors: unknown[] = [];
  target.addEventListener('error', (e) => errors.push((e as StoreErrorEvent).error));
  return errors;
}

describe('ownership', () => {
  it('a second owner gets StoreLockedError, or waits with onLocked: wait', async () => {
    const name = uniqueName();
    const first = openStore(name);
    await first.load();
    await expect(openStore(name).load()).rejects.toBeInstanceOf(StoreLockedError);

    const waiting = openStore(name, { onLocked: 'wait' });
    let loaded = false;
    const load = waiting.load().then((s) => {
      loaded = true;
      return s;
    });
    await first.write({ entries: entryRange(1, 2, 1) });
    await new Promise((r) => setTimeout(r, 20));
    expect(loaded).toBe(false);
    await first.close();
    expect((await load).entries).toEqual(entryRange(1, 2, 1));
    await waiting.close();
  });

  it('waiting for the lock can be cancelled', async () => {
    const name = uniqueName();
    const first = openStore(name);
    await first.load();
    const controller = new AbortController();
    const waiting = openStore(name, { onLocked: 'wait', signal: controller.signal }).load();
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    await first.close();
  });

  it('refuses to run without Web Locks unless told to', async () => {
    await expect(indexedDBLogStore({ name: uniqueName(), wipeMarker: false }).load()).rejects.toBeInstanceOf(LocksUnavailableError);
    const unlocked = indexedDBLogStore({ name: uniqueName(), wipeMarker: false, locks: false });
    expect((await unlocked.load()).empty).toBe(true);
    await unlocked.close();
  });
});

describe('identity and wipe detection', () => {
  it('writes an identity at creation and refuses another node or cluster', async () => {
    const name = uniqueName();
    const store = openStore(name, { nodeId: 'n1', clusterId: 'c1' });
    await store.load();
    expect(store.identity).toMatchObject({ nodeId: 'n1', clusterId: 'c1', format: 1 });
    const incarnation = store.identity!.incarnation;
    await store.close();
    await expect(openStore(name, { nodeId: 'n2', clusterId: 'c1' }).load()).rejects.toBeInstanceOf(IdentityMismatchError);
    await expect(openStore(name, { nodeId: 'n1', clusterId: 'c2' }).load()).rejects.toMatchObject({ code: 'corrupt' });
    const again = openStore(name, { nodeId: 'n1', clusterId: 'c1' });
    await again.load();
    expect(again.identity?.incarnation).toBe(incarnation);
    await again.close();
  });

  it('a database wiped between runs raises StoreWipedError for the same node, and lets a new id start fresh', async () => {
    const name = uniqueName();
    const store = openStore(name, { nodeId: 'n1' });
    await store.load();
    await store.write({ entries: entryRange(1, 3, 1), hardState: { term: 1, vote: 'n1', commit: 0 } });
    await store.close();
    await deleteDB(name);

    const reopened = openStore(name, { nodeId: 'n1' });
    const errors = errorsOf(reopened);
    await expect(reopened.load()).rejects.toBeInstanceOf(StoreWipedError);
    expect(errors[0]).toBeInstanceOf(StoreWipedError);

    const rejoined = openStore(name, { nodeId: 'n1-2' });
    const state = await rejoined.load();
    expect(state.empty).toBe(true);
    expect(rejoined.identity?.nodeId).toBe('n1-2');
    await rejoined.close();
  });

  it('expectExisting turns an empty database into StoreWipedError even without a marker', async () => {
    const name = uniqueName();
    const store = indexedDBLogStore({ name, locks, wipeMarker: false, expectExisting: true });
    await expect(store.load()).rejects.toBeInstanceOf(StoreWipedError);
    const fresh = indexedDBLogStore({ name, locks, wipeMarker: false });
    expect((await fresh.load()).empty).toBe(true);
    await fresh.close();
  });

  it('a database recreated behind the marker\'s back is noticed by its incarnation', async () => {
    const name = uniqueName();
    const own = memoryWipeMarker();
    const store = indexedDBLogStore({ name, locks, wipeMarker: own, nodeId: 'n1' });
    await store.load();
    await store.close();
    await deleteDB(name);
    // Another context without the marker recreates it under the same id.
    const other = indexedDBLogStore({ name, locks, wipeMarker: false, nodeId: 'n1' });
    await other.load();
    await other.close();
    await expect(indexedDBLogStore({ name, locks, wipeMarker: own, nodeId: 'n1' }).load()).rejects.toBeInstanceOf(StoreWipedError);
  });

  it('deleteIndexedDBLogStore forgets the marker, so the same id starts fresh', async () => {
    const name = uniqueName();
    const store = openStore(name, { nodeId: 'n1' });
    await store.load();
    await store.close();
    await deleteIndexedDBLogStore(name, { wipeMarker: marker });
    const fresh = openStore(name, { nodeId: 'n1' });
    expect((await fresh.load()).empty).toBe(true);
    await fresh.close();
  });
});

describe('losing the database under a running store', () => {
  it('deleteDatabase elsewhere closes the store with reason deleted and an error event', async () => {
    const name = uniqueName();
    const store = openStore(name, { nodeId: 'n1' });
    const errors = errorsOf(store);
    await store.load();
    await store.write({ entries: entryRange(1, 2, 1) });
    await deleteDB(name);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'StoreClosedError', reason: 'deleted', code: 'closed' });
    await expect(store.write({ entries: entryRange(3, 3, 1) })).rejects.toBeInstanceOf(StoreClosedError);
    await store.close();
    await expect(openStore(name, { nodeId: 'n1' }).load()).rejects.toBeInstanceOf(StoreWipedError);
  });

  it('an upgrade by newer code elsewhere closes the store (reason versionchange); old code then refuses the database', async () => {
    const name = uniqueName();
    const store = openStore(name);
    const errors = errorsOf(store);
    await store.load();
    await store.write({ entries: entryRange(1, 2, 1) });
    const newer = await openDB(name, 2);
    expect(errors).toEqual([expect.objectContaining({ name: 'StoreClosedError', reason: 'versionchange' })]);
    await expect(store.write({ entries: entryRange(3, 3, 1) })).rejects.toMatchObject({ reason: 'versionchange' });
    newer.close();
    await store.close();
    await expect(openStore(name).load()).rejects.toMatchObject({ name: 'SchemaMismatchError', code: 'corrupt' });
  });

  it('a forced close (storage cleared or evicted) fails the queued write and every later one', async () => {
    const name = uniqueName();
    let raw: IDBDatabase | undefined;
    const factory = {
      open(n: string, v?: number) {
        const request = indexedDB.open(n, v);
        request.addEventListener('success', () => (raw = request.result));
        return request;
      },
    } as IDBFactory;
    const store = openStore(name, { indexedDB: factory });
    const errors = errorsOf(store);
    await store.load();
    await store.write({ entries: entryRange(1, 2, 1) });
    const queued = store.write({ entries: entryRange(3, 4, 1) });
    // fake-indexeddb declares the parameter as the IDBDatabase class, though it takes a connection.
    forceCloseDatabase(raw! as never);
    await expect(queued).rejects.toMatchObject({ code: expect.stringMatching(/^(aborted|closed)$/) });
    await expect(store.write({ entries: entryRange(3, 3, 1) })).rejects.toMatchObject({ reason: 'terminated' });
    const reopened = openStore(name);
    expect((await reopened.load()).entries).toEqual(entryRange(1, 2, 1));
    await reopened.close();
    expect(errors.some((e) => e instanceof StoreClosedError && e.reason === 'terminated')).toBe(true);
    await store.close();
  });
});

describe('corrupt records', () => {
  const cases: [string, (db: Awaited<ReturnType<typeof openDB>>) => Promise<unknown>][] = [
    ['an entry under the wrong key', (db) => db.put('entryRuns', [{ index: 9, term: 1, type: 'normal', data: new Uint8Array(1) }], 5)],
    ['an entry without bytes', (db) => db.put('entryRuns', [{ index: 5, term: 1, type: 'normal', data: 'abc' }], 5)],
    ['an unknown entry type', (db) => db.put('entryRuns', [{ index: 5, term: 1, type: 'weird', data: new Uint8Array(1) }], 5)],
    ['a run that is not a list', (db) => db.put('entryRuns', { index: 5 }, 5)],
    ['a hole in the log', (db) => db.put('entryRuns', [{ index: 7, term: 1, type: 'normal', data: new Uint8Array(1) }], 7)],
    ['a falling term', (db) => db.put('entryRuns', [{ index: 3, term: 0, type: 'normal', data: new Uint8Array(1) }], 3)],
    ['a malformed hard state', (db) => db.put('meta', { term: -1, vote: '', commit: 0 }, 'hardState')],
    ['a missing snapshot chunk', (db) => db.delete('snapshotChunks', 0)],
    ['a missing identity', (db) => db.delete('meta', 'identity')],
  ];
  for (const [what, damage] of cases) {
    it(`${what} gives CorruptRecordError on load`, async () => {
      const name = uniqueName();
      const store = openStore(name);
      await store.load();
      const conf = { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
      await store.write({ entries: entryRange(1, 4, 1), saveSnapshot: { meta: { index: 1, term: 1, conf }, data: new Uint8Array(8) } });
      await store.close();
      const db = await openDB(name);
      await damage(db);
      db.close();
      const reopened = openStore(name);
      const errors = errorsOf(reopened);
      await expect(reopened.load()).rejects.toBeInstanceOf(CorruptRecordError);
      expect(errors[0]).toBeInstanceOf(CorruptRecordError);
      // The failed load gave up the lock.
      const again = openStore(name);
      await expect(again.load()).rejects.toMatchObject({ code: 'corrupt' });
    });
  }
});

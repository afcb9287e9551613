import { entry, entryRange } from '@webraft/core/testing';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageQuotaError, type StoreErrorEvent, } from '../src/index.ts';
import { openStore, uniqueName } from './helpers.ts';

afterEach(() => vi.restoreAllMocks());

describe('group commit', () => {
  it('carries writes issued while a transaction runs in one strict transaction', async () => {
    const store = openStore(uniqueName());
    await store.load();
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const writes = [];
    for (let i = 1; i <= 200; i++) writes.push(store.write({ entries: [entry(i, 1)], hardState: { term: 1, vote: '', commit: i - 1 } }));
    await Promise.all(writes);
    const readwrite = spy.mock.calls.filter((c) => c[1] === 'readwrite');
    expect(readwrite.length).toBeGreaterThan(0);
    expect(readwrite.length).toBeLessThanOrEqual(2);
    for (const call of readwrite) expect(call[2]).toEqual({ durability: 'strict' });
    expect(await store.entries(1, 201)).toHaveLength(200);
    await store.close();
  });

  it('resolves a write only after its transaction completed', async () => {
    const store = openStore(uniqueName());
    await store.load();
    let completed = 0;
    const original = IDBDatabase.prototype.transaction;
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      const tx = original.apply(this, args);
      tx.addEventListener('complete', () => completed++);
      return tx;
    });
    const write = store.write({ entries: [entry(1, 1)] }).then(() => completed);
    expect(completed).toBe(0);
    expect(await write).toBe(1);
    await store.close();
  });

  it('stores only the bytes of a view, not its whole buffer', async () => {
    const name = uniqueName();
    const store = openStore(name);
    await store.load();
    const big = new Uint8Array(4096).map((_, i) => i & 0xff);
    await store.write({ entries: [entry(1, 1, big.subarray(100, 110))] });
    await store.close();
    const db = await openDB(name);
    const [raw] = (await db.get('entryRuns', 1)) as { data: Uint8Array }[];
    db.close();
    if (!raw) throw new Error('no run stored at 1');
    expect(raw.data.buffer.byteLength).toBe(10);
    expect([...raw.data]).toEqual([...big.subarray(100, 110)]);
  });
});

describe('a failed write', () => {
  it('rejects with a typed error, lands nothing and makes the store refuse writes until reopened', async () => {
    const name = uniqueName();
    const store = openStore(name);
    const events: unknown[] = [];
    store.addEventListener('error', (e) => events.push((e as StoreErrorEvent).error));
    await store.load();
    await store.write({ entries: entryRange(1, 3, 1), hardState: { term: 1, vote: 'a', commit: 2 } });

    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(() => {
      throw new DOMException('the disk is full', 'QuotaExceededError');
    });
    const failing = store.write({ entries: entryRange(4, 5, 1), hardState: { term: 2, vote: 'b', commit: 3 } });
    // Issued in the same task, so it shares the failing transaction and fails with it.
    const sameGroup = store.write({ entries: entryRange(6, 6, 1) });
    await expect(failing).rejects.toBeInstanceOf(StorageQuotaError);
    await expect(failing).rejects.toMatchObject({ code: 'quota' });
    await expect(sameGroup).rejects.toBeInstanceOf(StorageQuotaError);
    await expect(store.write({ entries: entryRange(4, 4, 1) })).rejects.toMatchObject({ name: 'StoreFailedError', code: 'closed' });
    expect(events).toHaveLength(1);
    expect(events[0]).toBeInstanceOf(StorageQuotaError);
    await store.close();

    const reopened = openStore(name);
    const state = await reopened.load();
    expect(state.entries).toEqual(entryRange(1, 3, 1));
    expect(state.hardState).toEqual({ term: 1, vote: 'a', commit: 2 });
    await reopened.write({ entries: entryRange(4, 4, 1) });
    expect(await reopened.entries(1, 10)).toHaveLength(4);
    await reopened.close();
  });

  it('a refused batch (caller error) does not fail the store', async () => {
    const store = openStore(uniqueName());
    await store.load();
    await expect(store.write({ entries: [entry(3, 1)] })).rejects.toMatchObject({ code: 'hole' });
    await expect(store.write({ entries: [{ index: 1, term: 1, type: 'normal', data: 'x' as never }] })).rejects.toMatchObject({
      code: 'invalid',
    });
    await store.write({ entries: [entry(1, 1)] });
    expect(await store.entries(1, 2)).toEqual([entry(1, 1)]);
    await store.close();
  });
});

describe('snapshots', () => {
  it('are stored in chunks and read back byte for byte', async () => {
    const name = uniqueName();
    const store = openStore(name, { snapshotChunkBytes: 1000 });
    await store.load();
    const data = new Uint8Array(10_500).map((_, i) => (i * 7) & 0xff);
    const conf = { voters: ['a', 'b'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
    await store.write({ entries: entryRange(1, 5, 1) });
    await store.write({ saveSnapshot: { meta: { index: 5, term: 1, conf }, data }, compactTo: 5 });
    await store.close();
    const db = await openDB(name);
    expect(await db.count('snapshotChunks')).toBe(11);
    db.close();
    const reopened = openStore(name, { snapshotChunkBytes: 4096 });
    const state = await reopened.load();
    expect(state.snapshot?.meta).toEqual({ index: 5, term: 1, conf });
    expect(state.snapshot?.data).toEqual(data);
    // A smaller snapshot replaces every chunk of the larger one.
    await reopened.write({ entries: entryRange(6, 6, 1), saveSnapshot: { meta: { index: 6, term: 1, conf }, data: data.subarray(0, 5000) } });
    expect((await reopened.load()).snapshot?.data).toEqual(data.subarray(0, 5000));
    await reopened.close();
  });
});

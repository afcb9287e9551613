import { describe, expect, it } from 'vitest';
import { LogStoreError, type Entry, type HardState } from '@webraft/core';
import {
  CorruptRecordError,
  DurableObjectLogStoreOptionsError,
  durableObjectLogStore,
  StorageQuotaError,
  StorageReadError,
  StoreFailedError,
  StoreInUseError,
  TransactionFailedError,
} from '../src/index.ts';
import { FakeStorage } from './fake-storage.ts';

const entry = (index: number, term: number, data: Uint8Array = Uint8Array.of(index & 0xff)): Entry => ({ index, term, type: 'normal', data });
const hardState = (term: number, commit = 0): HardState => ({ term, vote: '', commit });
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const conf = { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };

describe('acknowledgement', () => {
  it('resolves a write only once its transaction committed and storage synced it', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage);
    await store.load();
    let release!: () => void;
    storage.syncGate = new Promise<void>((resolve) => (release = resolve));
    let acknowledged = false;
    const write = store.write({ entries: [entry(1, 1)], hardState: hardState(1) }).then(() => (acknowledged = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(storage.transactions).toBe(1);
    expect(acknowledged).toBe(false);
    release();
    await write;
    expect(acknowledged).toBe(true);
  });

  it('commits writes queued behind a transaction together, in call order', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage);
    await store.load();
    const writes = Array.from({ length: 20 }, (_, i) => store.write({ entries: [entry(i + 1, 1)], hardState: hardState(1, i) }));
    await Promise.all(writes);
    expect(storage.transactions).toBeLessThan(20);
    expect((await store.entries(1, 100)).map((e) => e.index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await store.load()).hardState).toEqual(hardState(1, 19));
  });
});

describe('the limits of Durable Object storage', () => {
  it('splits large entries and snapshots into values of at most 128 KiB, and stores views compactly', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage);
    await store.load();
    const large = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < large.length; i++) large[i] = (i * 7) & 0xff;
    // A view of 10 bytes into a buffer of 4 MiB, as a frame's contents are.
    const view = new Uint8Array(4 * 1024 * 1024).subarray(100, 110).fill(9);
    await store.write({ entries: [entry(1, 1, large), entry(2, 1, view)] });
    const snapshot = { meta: { index: 2, term: 1, conf }, data: large.subarray(5, 600_005) };
    await store.write({ saveSnapshot: snapshot });
    expect(storage.largestValue).toBeLessThanOrEqual(128 * 1024);
    const reopened = durableObjectLogStore(storage, {});
    await store.close();
    const state = await reopened.load();
    expect(same(state.snapshot!.data, snapshot.data)).toBe(true);
    const [first, second] = await reopened.entries(1, 3);
    expect(first).toMatchObject({ index: 1, term: 1, type: 'normal' });
    expect(same(first!.data, large)).toBe(true);
    expect(second).toEqual(entry(2, 1, view.slice()));
    // A shorter snapshot leaves none of the longer one's chunks behind.
    await reopened.write({ saveSnapshot: { meta: { index: 2, term: 1, conf }, data: Uint8Array.of(1, 2, 3) } });
    expect([...storage.data.keys()].filter((k) => k.startsWith('raft:s:'))).toEqual(['raft:s:000000']);
  });

  it('deletes the chunks of the entries it truncates, compacts or replaces with a snapshot', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage, { chunkBytes: 1024 });
    await store.load();
    const big = (index: number, term: number): Entry => entry(index, term, new Uint8Array(5000).fill(index));
    await store.write({ entries: [big(1, 1), big(2, 1), big(3, 1), big(4, 1)] });
    await store.write({ entries: [entry(3, 2)] });
    await store.write({ saveSnapshot: { meta: { index: 2, term: 1, conf }, data: new Uint8Array(0) }, compactTo: 1 });
    expect([...storage.data.keys()].filter((k) => k.startsWith('raft:e:')).map((k) => k.slice(7).replace(/^0+/, ''))).toEqual([
      '2',
      ...['1', '2', '3', '4', '5'].map((n) => `2:00000${n}`),
      '3',
    ]);
    await store.write({ installSnapshot: { meta: { index: 9, term: 3, conf }, data: Uint8Array.of(1) } });
    expect([...storage.data.keys()].filter((k) => k.startsWith('raft:e:'))).toEqual([]);
  });
});

describe('failures', () => {
  it('rejects a write storage refused for space with a StorageQuotaError, then every write until reopened; nothing is lost', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage);
    await store.load();
    await store.write({ entries: [entry(1, 1)], hardState: hardState(1) });
    storage.failures.push(new Error('Exceeded allowed storage quota for this Durable Object'));
    const failed = store.write({ entries: [entry(2, 1)] });
    const after = store.write({ entries: [entry(3, 1)] });
    await expect(failed).rejects.toBeInstanceOf(StorageQuotaError);
    await expect(failed).rejects.toMatchObject({ code: 'quota' });
    await expect(after).rejects.toBeInstanceOf(StoreFailedError);
    await expect(store.write({ entries: [entry(2, 1)] })).rejects.toMatchObject({ name: 'StoreFailedError', code: 'closed' });
    await store.close();

    const reopened = durableObjectLogStore(storage);
    expect((await reopened.load()).entries).toEqual([entry(1, 1)]);
    await reopened.write({ entries: [entry(2, 1)] });
    expect(await reopened.entries(1, 10)).toEqual([entry(1, 1), entry(2, 1)]);
  });

  it('names any other failed transaction (code aborted), with its cause', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage);
    await store.load();
    const cause = new Error('Durable Object reset because its code was updated');
    storage.failures.push(cause);
    const failure = await store.write({ entries: [entry(1, 1)] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransactionFailedError);
    expect(failure).toMatchObject({ code: 'aborted', cause });
    expect(storage.data.size).toBe(0);
  });

  it('names a failed read of the storage (code aborted), with its cause; the store opens once storage answers', async () => {
    const storage = new FakeStorage();
    const first = durableObjectLogStore(storage);
    await first.write({ entries: [entry(1, 1), entry(2, 1)] });
    await first.close();
    const list = storage.list.bind(storage);
    const cause = new Error('Durable Object storage operation exceeded timeout');
    storage.list = () => Promise.reject(cause);
    const store = durableObjectLogStore(storage);
    await expect(store.load()).rejects.toMatchObject({ name: 'StorageReadError', code: 'aborted', cause });
    storage.list = list;
    const reopened = durableObjectLogStore(storage);
    expect((await reopened.load()).entries).toEqual([entry(1, 1), entry(2, 1)]);
    storage.list = () => Promise.reject(cause);
    await expect(reopened.entries(1, 3)).rejects.toBeInstanceOf(StorageReadError);
  });

  it('refuses a batch that breaks a LogStore rule with its typed error, and stays usable', async () => {
    const store = durableObjectLogStore(new FakeStorage());
    await store.load();
    await expect(store.write({ entries: [entry(2, 1)] })).rejects.toMatchObject({ code: 'hole' });
    await expect(store.write({ entries: [{ index: 1, term: 1, type: 'bogus' as 'normal', data: new Uint8Array(0) }] })).rejects.toMatchObject({ code: 'invalid' });
    await store.write({ entries: [entry(1, 1)] });
    expect(await store.entries(1, 2)).toEqual([entry(1, 1)]);
  });

  it('refuses a batch too malformed to read (not an object, a null entry, hard state or snapshot meta) as invalid, and stays usable', async () => {
    const store = durableObjectLogStore(new FakeStorage());
    await store.load();
    for (const batch of [null, 5, { entries: [null] }, { hardState: null }, { saveSnapshot: { meta: null, data: new Uint8Array(0) } }]) {
      await expect(store.write(batch as never)).rejects.toMatchObject({ name: 'InvalidLogWriteError', code: 'invalid' });
    }
    await store.write({ entries: [entry(1, 1)] });
    expect((await store.load()).entries).toEqual([entry(1, 1)]);
  });
});

describe('reading back', () => {
  it('calls a log with a missing entry, a bad meta record, or keys without a meta record corrupt', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage);
    await store.load();
    await store.write({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)], hardState: hardState(1) });
    await store.close();
    storage.data.delete('raft:e:0000000000000002');
    await expect(durableObjectLogStore(storage).load()).rejects.toBeInstanceOf(CorruptRecordError);

    const meta = new FakeStorage();
    meta.data.set('raft:meta', { version: 7 });
    await expect(durableObjectLogStore(meta).load()).rejects.toMatchObject({ name: 'CorruptRecordError', code: 'corrupt' });

    const identity = new FakeStorage();
    identity.data.set('raft:meta', { version: 1, hardState: { term: 1, vote: '', commit: 0, store: 7 }, floor: 0, lastIndex: 0 });
    await expect(durableObjectLogStore(identity).load()).rejects.toThrow('malformed hard state');

    const snapshot = new FakeStorage();
    snapshot.data.set('raft:meta', { version: 1, hardState: hardState(1), floor: 2, lastIndex: 2, snapshot: { meta: { index: 2 }, bytes: 0, chunks: 0 } });
    await expect(durableObjectLogStore(snapshot).load()).rejects.toThrow('malformed snapshot');

    const stray = new FakeStorage();
    stray.data.set('raft:e:0000000000000001', { t: 1, y: 0, d: Uint8Array.of(1) });
    await expect(durableObjectLogStore(stray).load()).rejects.toThrow('a key of the log without its meta record');
  });

  it('reads a log of several pages as one version, holding back a write that comes in between', async () => {
    const storage = new FakeStorage();
    const store = durableObjectLogStore(storage);
    await store.load();
    await store.write({ entries: Array.from({ length: 1200 }, (_, i) => entry(i + 1, 1)) });
    const list = storage.list.bind(storage);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let secondPageAsked!: () => void;
    const asked = new Promise<void>((resolve) => (secondPageAsked = resolve));
    let lists = 0;
    storage.list = async (options) => {
      if (++lists === 2) {
        secondPageAsked();
        await gate;
      }
      return list(options);
    };
    const read = store.entries(1, 1201);
    await asked;
    // Replaces entries 500 to 1200, whose second page the read has not fetched yet.
    const write = store.write({ entries: Array.from({ length: 701 }, (_, i) => entry(i + 500, 2)) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const entries = await read;
    await write;
    expect(entries.length).toBe(1200);
    expect(entries.filter((e) => e.term !== 1)).toEqual([]);
    expect((await store.entries(1000, 1001))[0]!.term).toBe(2);
  });

  it('writes before load() read the storage first', async () => {
    const storage = new FakeStorage();
    const first = durableObjectLogStore(storage);
    await first.write({ entries: [entry(1, 1)] });
    await first.close();
    const second = durableObjectLogStore(storage);
    await second.write({ entries: [entry(2, 1)] });
    expect((await second.load()).entries).toEqual([entry(1, 1), entry(2, 1)]);
  });
});

describe('ownership and options', () => {
  it('allows one open store per prefix in an object', async () => {
    const storage = new FakeStorage();
    const a = durableObjectLogStore(storage, { prefix: 'a:' });
    await a.load();
    await expect(durableObjectLogStore(storage, { prefix: 'a:' }).load()).rejects.toBeInstanceOf(StoreInUseError);
    await durableObjectLogStore(storage, { prefix: 'b:' }).load();
    await a.close();
    await durableObjectLogStore(storage, { prefix: 'a:' }).load();
  });

  it('names an option it cannot work with', () => {
    const storage = new FakeStorage();
    expect(() => durableObjectLogStore(storage, { chunkBytes: 200 * 1024 })).toThrow(DurableObjectLogStoreOptionsError);
    expect(() => durableObjectLogStore(storage, { chunkBytes: 10 })).toThrow('`chunkBytes` must be an integer in [1024, 129024], got 10');
    expect(() => durableObjectLogStore(storage, { prefix: 7 as unknown as string })).toThrow('`prefix` must be a string');
    expect(new StoreFailedError(new StorageQuotaError('x'))).toBeInstanceOf(LogStoreError);
  });
});

import { describe, expect, it } from 'vitest';
import {
  InvalidLogWriteError,
  LogCompactionError,
  LogHoleError,
  LogQuotaError,
  LogStoreClosedError,
  LogStoreError,
  MemoryLogStore,
  checkLogWrite,
  emptyLogBounds,
  type Entry,
  type LogWrite,
  type Snapshot,
} from '../../src/index.ts';
import { entryRange, sampleConfState } from '../../src/testing/index.ts';

const snap = (index: number, term = 1): Snapshot => ({ meta: { index, term, conf: sampleConfState }, data: new Uint8Array(2) });

/** A timer queue the test fires by hand. */
function manualTimers() {
  const due: (() => void)[] = [];
  return {
    setTimeout: (callback: () => void) => due.push(callback),
    fire: () => {
      for (const callback of due.splice(0)) callback();
    },
    get size() {
      return due.length;
    },
  };
}

describe('MemoryLogStore', () => {
  it('rejects with named LogStoreError subclasses carrying a code', async () => {
    const store = new MemoryLogStore();
    await store.load();
    await expect(store.write({ entries: entryRange(3, 3, 1) })).rejects.toBeInstanceOf(LogHoleError);
    await expect(store.write({ compactTo: 1 })).rejects.toBeInstanceOf(LogCompactionError);
    const error = await store.write({ entries: entryRange(1, 1, 1), compactTo: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogStoreError);
    expect((error as LogStoreError).code).toBe('compaction');
    expect((error as Error).message).toMatch(/beyond the latest durable snapshot at 0/);
    await store.close();
    await expect(store.write({})).rejects.toBeInstanceOf(LogStoreClosedError);
    await expect(store.load()).rejects.toMatchObject({ code: 'closed', name: 'LogStoreClosedError' });
  });

  it('refuses malformed batches without changing anything', async () => {
    const store = new MemoryLogStore();
    await store.write({ entries: entryRange(1, 4, 2) });
    const bad: Entry[][] = [
      [{ index: 5, term: 2, type: 'normal', data: new Uint8Array() }, { index: 7, term: 2, type: 'normal', data: new Uint8Array() }],
      [{ index: 5, term: 1.5, type: 'normal', data: new Uint8Array() }],
      [{ index: 5, term: 3, type: 'normal', data: new Uint8Array() }, { index: 6, term: 2, type: 'normal', data: new Uint8Array() }],
      [{ index: 5, term: 3, type: 'bogus' as Entry['type'], data: new Uint8Array() }],
      [{ index: 5, term: 3, type: 'normal', data: [1] as unknown as Uint8Array }],
    ];
    for (const entries of bad) await expect(store.write({ entries })).rejects.toBeInstanceOf(InvalidLogWriteError);
    await expect(store.write({ hardState: { term: -1, vote: '', commit: 0 } })).rejects.toBeInstanceOf(InvalidLogWriteError);
    // Shapes a caller outside TypeScript may send: a typed error, never a TypeError from inside.
    const shapeless = [null, 7, { entries: 'x' }, { entries: [null] }, { hardState: null }, { installSnapshot: null }, { saveSnapshot: { meta: null, data: new Uint8Array() } }];
    for (const batch of shapeless) {
      await expect(store.write(batch as unknown as LogWrite), JSON.stringify(batch)).rejects.toBeInstanceOf(InvalidLogWriteError);
    }
    await expect(store.write({ saveSnapshot: snap(9) })).rejects.toThrow(/beyond the last stored index 4/);
    await store.write({ saveSnapshot: snap(3), compactTo: 3 });
    await expect(store.write({ saveSnapshot: snap(2) })).rejects.toThrow(/older than the stored snapshot/);
    await expect(store.write({ installSnapshot: snap(2) })).rejects.toThrow(/older than the stored snapshot/);
    await expect(store.write({ entries: entryRange(3, 5, 2) })).rejects.toThrow(/inside the snapshot or compacted prefix/);
    expect(await store.entries(0, 10)).toEqual(entryRange(4, 4, 2));
  });

  it('reopens over the same data like a restart', async () => {
    const first = new MemoryLogStore();
    await first.write({ entries: entryRange(1, 3, 1), hardState: { term: 1, vote: 'a', commit: 2 } });
    await first.close();
    const second = new MemoryLogStore({ data: first.data });
    const state = await second.load();
    expect(state).toEqual({ hardState: { term: 1, vote: 'a', commit: 2 }, entries: entryRange(1, 3, 1), empty: false });
  });

  it('with latency, writes become durable in call order and a crash loses the pending ones', async () => {
    const timers = manualTimers();
    const store = new MemoryLogStore({ latencyMs: 5, setTimeout: timers.setTimeout });
    const first = store.write({ entries: entryRange(1, 2, 1) });
    const second = store.write({ entries: entryRange(3, 3, 1) });
    expect(store.pendingWrites).toBe(2);
    await Promise.resolve();
    timers.fire();
    await first;
    expect(store.data.entries).toHaveLength(2);
    await Promise.resolve();
    store.crash();
    await expect(second).rejects.toBeInstanceOf(LogStoreClosedError);
    timers.fire();
    expect(store.data.entries).toEqual(entryRange(1, 2, 1));
    const reopened = new MemoryLogStore({ data: store.data });
    expect((await reopened.load()).entries).toEqual(entryRange(1, 2, 1));
  });

  it('close waits for writes already issued', async () => {
    const store = new MemoryLogStore({ latencyMs: 1 });
    const write = store.write({ entries: entryRange(1, 1, 1) });
    await store.close();
    await write;
    expect(store.data.entries).toHaveLength(1);
  });

  it('a failed write (injected quota error) leaves the store as it was and later writes proceed', async () => {
    let fail = true;
    const store = new MemoryLogStore({
      failWrite: () => (fail ? new LogQuotaError('disk full') : undefined),
    });
    await expect(store.write({ entries: entryRange(1, 1, 1) })).rejects.toMatchObject({ code: 'quota' });
    expect((await store.load()).empty).toBe(true);
    fail = false;
    await store.write({ entries: entryRange(1, 1, 1) });
    expect(await store.entries(1, 2)).toEqual(entryRange(1, 1, 1));
  });

  it('load returns only entries after a saved snapshot; entries() clamps to what is stored', async () => {
    const store = new MemoryLogStore();
    await store.write({ entries: entryRange(1, 10, 1), saveSnapshot: snap(7), compactTo: 5 });
    expect((await store.load()).entries).toEqual(entryRange(8, 10, 1));
    expect(await store.entries(1, 7)).toEqual(entryRange(6, 6, 1));
    expect(await store.entries(9, 3)).toEqual([]);
  });
});

describe('checkLogWrite', () => {
  it('returns the bounds after a batch', () => {
    expect(checkLogWrite(emptyLogBounds, { entries: entryRange(1, 5, 1) })).toEqual({ floor: 0, lastIndex: 5, snapshotIndex: 0 });
    expect(checkLogWrite({ floor: 0, lastIndex: 5, snapshotIndex: 0 }, { saveSnapshot: snap(4), compactTo: 4 })).toEqual({
      floor: 4,
      lastIndex: 5,
      snapshotIndex: 4,
    });
    expect(checkLogWrite({ floor: 0, lastIndex: 5, snapshotIndex: 0 }, { installSnapshot: snap(10) })).toEqual({
      floor: 10,
      lastIndex: 10,
      snapshotIndex: 10,
    });
  });
});

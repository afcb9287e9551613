import { describe, expect, it } from 'vitest';
import { LogQuotaError, type Entry, type LogStore } from '@webraft/core';
import { SimLogStore, type DiskHost } from '../src/store.ts';

const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });

/** A disk whose writes take the given delays, one after the other; `at` moves time. */
function disk(delays: number[]): { store: SimLogStore; handle: LogStore; at(now: number): void } {
  let now = 0;
  const host: DiskHost = {
    get now() {
      return now;
    },
    writeDelay: () => delays.shift() ?? 1,
    scheduleDurable: () => undefined,
  };
  const store = new SimLogStore(host);
  return {
    store,
    handle: store.open(),
    at(time: number) {
      now = time;
      store.flush(time);
    },
  };
}

describe('simulated disk (a LogStore)', () => {
  it('resolves a write only once it is durable, and a crash loses what was not', async () => {
    const d = disk([5, 1, 2]);
    const done: number[] = [];
    void d.handle.write({ entries: [entry(1, 1), entry(2, 1)], hardState: { term: 1, vote: 'n1', commit: 0 } }).then(() => done.push(1));
    void d.handle.write({ entries: [entry(3, 1)] }).then(() => done.push(2));
    d.at(4);
    await Promise.resolve();
    expect(done).toEqual([]);
    d.at(5);
    await Promise.resolve();
    expect(done).toEqual([1, 2]);
    void d.handle.write({ entries: [entry(4, 2)], hardState: { term: 2, vote: '', commit: 3 } });
    expect(d.store.view.lastIndex).toBe(4);
    d.store.crash(0);
    expect(d.store.durable.lastIndex).toBe(3);
    expect(d.store.durable.hardState).toEqual({ term: 1, vote: 'n1', commit: 0 });
    await expect(d.handle.write({ entries: [entry(4, 2)] })).rejects.toThrow(/crashed/);
  });

  it('writes become durable in order even when a later one is faster; a crash keeps a prefix only', () => {
    const d = disk([10, 1]);
    void d.handle.write({ entries: [entry(1, 1)] });
    void d.handle.write({ entries: [entry(2, 1)] });
    d.at(1);
    expect(d.store.durable.lastIndex).toBe(0);
    d.store.crash(1);
    expect(d.store.durable.entries.map((e) => e.index)).toEqual([1]);
  });

  it('refuses a write a real store refuses (a hole), and fails writes on request with a typed error', async () => {
    const d = disk([]);
    await expect(d.handle.write({ entries: [entry(3, 1)] })).rejects.toThrow(/last stored index/);
    d.store.failWrites = 1;
    await expect(d.handle.write({ entries: [entry(1, 1)] })).rejects.toBeInstanceOf(LogQuotaError);
    expect(d.store.view.lastIndex).toBe(0);
  });

  it('a wiped disk comes back empty, as a store never written, and remembers what it lost', async () => {
    const d = disk([0]);
    void d.handle.write({ entries: [entry(1, 1)], hardState: { term: 1, vote: '', commit: 1, store: 's1' } });
    d.at(0);
    d.store.crash(0);
    d.store.wipe();
    const loaded = await d.store.open().load();
    expect(loaded).toMatchObject({ empty: true, entries: [] });
    expect(d.store.wiped[0]?.lastIndex).toBe(1);
  });

  it('compaction keeps the entries after its point and the snapshot stays', () => {
    const d = disk([0, 0]);
    void d.handle.write({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    const conf = { voters: ['n1'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
    void d.handle.write({ saveSnapshot: { meta: { index: 2, term: 1, conf }, data: new Uint8Array() }, compactTo: 1 });
    d.at(0);
    expect(d.store.durable.offset).toBe(1);
    expect(d.store.durable.entries.map((e) => e.index)).toEqual([2, 3]);
    expect(d.store.durable.termAt(2)).toBe(1);
  });
});

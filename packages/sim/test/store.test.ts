import { describe, expect, it } from 'vitest';
import type { Entry } from '@webraft/core';
import { SimStore } from '../src/store.ts';

const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });

describe('simulated durable store', () => {
  it('keeps acknowledged writes and loses the rest on a crash', () => {
    const store = new SimStore();
    store.write(1, { entries: [entry(1, 1), entry(2, 1)], hardState: { term: 1, vote: 'n1', commit: 0 } }, 0, 5);
    store.write(2, { entries: [entry(3, 1)] }, 0, 1);
    expect(store.flush(4)).toEqual([]);
    expect(store.flush(5).map((w) => w.seq)).toEqual([1, 2]);
    store.write(3, { entries: [entry(4, 2)], hardState: { term: 2, vote: '', commit: 3 } }, 6, 2);
    expect(store.view.lastIndex).toBe(4);
    store.crash(0);
    expect(store.durable.lastIndex).toBe(3);
    expect(store.view.lastIndex).toBe(3);
    expect(store.durable.hardState).toEqual({ term: 1, vote: 'n1', commit: 0 });
  });

  it('writes become durable in order even when a later one is faster', () => {
    const store = new SimStore();
    const slow = store.write(1, { entries: [entry(1, 1)] }, 0, 10);
    const fast = store.write(2, { entries: [entry(2, 1)] }, 0, 1);
    expect(fast.durableAt).toBe(slow.durableAt);
  });

  it('a crash may keep a prefix of the unacknowledged writes, never a later one alone', () => {
    const store = new SimStore();
    store.write(1, { entries: [entry(1, 1)] }, 0, 1);
    store.write(2, { entries: [entry(2, 1)] }, 0, 1);
    store.crash(1);
    expect(store.durable.entries.map((e) => e.index)).toEqual([1]);
  });

  it('an append overwrites the conflicting suffix', () => {
    const store = new SimStore();
    store.write(1, { entries: [entry(1, 1), entry(2, 1), entry(3, 1)] }, 0, 0);
    store.write(2, { entries: [entry(2, 2)] }, 0, 0);
    store.flush(0);
    expect(store.durable.entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/2']);
  });
});

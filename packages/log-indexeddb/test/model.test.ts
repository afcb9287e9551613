import { MemoryLogStore } from '@webraft/core';
import { entryRange } from '@webraft/core/testing';
import type { LogStore, LogWrite, Snapshot } from '@webraft/core';
import { describe, expect, it } from 'vitest';
import { openStore, uniqueName } from './helpers.ts';

const conf = { voters: ['a', 'b', 'c'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A random write that is valid for a log with these bounds (tracked from the reference store). */
function randomWrite(random: () => number, s: { floor: number; last: number; snap: number; term: number }): LogWrite {
  const pick = random();
  const snapshot = (index: number): Snapshot => ({ meta: { index, term: s.term, conf }, data: Uint8Array.of(index & 0xff, 7) });
  if (pick < 0.6 || s.last === s.floor) {
    // An append, sometimes overwriting a suffix (a new leader's entries).
    const overwrite = random() < 0.3 && s.last > s.floor;
    const first = overwrite ? s.floor + 1 + Math.floor(random() * (s.last - s.floor)) : s.last + 1;
    if (overwrite) s.term++;
    const count = 1 + Math.floor(random() * 5);
    s.last = first + count - 1;
    if (s.snap > s.last) s.snap = Math.min(s.snap, s.last);
    return { entries: entryRange(first, s.last, s.term), hardState: { term: s.term, vote: 'a', commit: first - 1 } };
  }
  if (pick < 0.75) {
    const index = Math.max(s.snap, s.floor + Math.floor(random() * (s.last - s.floor + 1)));
    s.snap = index;
    const compact = random() < 0.7 ? s.floor + Math.floor(random() * (index - s.floor + 1)) : undefined;
    if (compact !== undefined) s.floor = Math.max(s.floor, compact);
    return compact === undefined ? { saveSnapshot: snapshot(index) } : { saveSnapshot: snapshot(index), compactTo: compact };
  }
  if (pick < 0.8) {
    const index = s.last + Math.floor(random() * 5);
    s.floor = s.snap = s.last = index;
    return { installSnapshot: snapshot(index) };
  }
  return { hardState: { term: s.term, vote: '', commit: s.floor } };
}

async function sameState(store: LogStore, reference: MemoryLogStore, where: string): Promise<void> {
  const [got, want] = await Promise.all([store.load(), reference.load()]);
  expect(got, where).toEqual(want);
  expect(await store.entries(0, 10_000), where).toEqual(await reference.entries(0, 10_000));
  const from = 1 + Math.floor(want.entries.length / 2);
  expect(await store.entries(from, from + 3), where).toEqual(await reference.entries(from, from + 3));
}

describe('runs of entries match the reference store', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random writes in bursts, with reopening (seed ${seed})`, async () => {
      const random = rng(seed);
      const name = uniqueName('model');
      let store = openStore(name);
      await store.load();
      const reference = new MemoryLogStore();
      await reference.load();
      // Bounds the generator believes in; the reference store checks every write as well.
      const s = { floor: 0, last: 0, snap: 0, term: 1 };
      let accepted = 0;
      let total = 0;
      for (let burst = 0; burst < 40; burst++) {
        const writes = Array.from({ length: 1 + Math.floor(random() * 8) }, () => randomWrite(random, s));
        const results = await Promise.allSettled(writes.map((w) => store.write(w)));
        for (const [i, w] of writes.entries()) {
          // Both stores accept the same writes and refuse the same ones, with the same code.
          const want = await reference.write(w).then(
            () => 'ok',
            (e: { code: string }) => e.code,
          );
          const r = results[i]!;
          total++;
          if (want === 'ok') accepted++;
          expect(r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code, `burst ${burst}, write ${i}`).toBe(want);
        }
        await sameState(store, reference, `seed ${seed}, burst ${burst}`);
        if (burst % 10 === 9) {
          await store.close();
          store = openStore(name);
          await store.load();
          await sameState(store, reference, `seed ${seed}, after reopening at burst ${burst}`);
        }
      }
      await store.close();
      // The generator must mostly produce valid writes, or the comparison says little.
      expect(accepted / total).toBeGreaterThan(0.6);
    });
  }
});

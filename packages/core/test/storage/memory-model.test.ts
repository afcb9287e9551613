import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogStoreError, MemoryLogStore, checkLogWrite, type Entry, type LogWrite, type Snapshot } from '../../src/index.ts';
import { sampleConfState } from '../../src/testing/index.ts';

/** A batch described relative to the log's current end, so random sequences stay near the interesting edges. */
interface Intent {
  readonly install?: number;
  readonly append?: { readonly at: number; readonly count: number };
  readonly hardTerm?: number;
  readonly save?: number;
  readonly compact?: number;
}

const intent: fc.Arbitrary<Intent> = fc.record(
  {
    install: fc.integer({ min: -2, max: 3 }),
    append: fc.record({ at: fc.integer({ min: -4, max: 1 }), count: fc.integer({ min: 0, max: 4 }) }),
    hardTerm: fc.nat({ max: 9 }),
    save: fc.integer({ min: -4, max: 1 }),
    compact: fc.integer({ min: -3, max: 1 }),
  },
  { requiredKeys: [] },
);

/** The obvious implementation: entries in a map keyed by index. */
class Model {
  entries = new Map<number, Entry>();
  floor = 0;
  snapshot: Snapshot | undefined;
  term = 1;

  get lastIndex(): number {
    return Math.max(this.floor, ...this.entries.keys());
  }

  batch(i: Intent): LogWrite {
    const snap = (index: number): Snapshot => ({ meta: { index, term: this.term, conf: sampleConfState }, data: Uint8Array.of(index) });
    const batch: { -readonly [K in keyof LogWrite]: LogWrite[K] } = {};
    let last = this.lastIndex;
    if (i.install !== undefined) batch.installSnapshot = snap((last = Math.max(0, last + i.install)));
    if (i.append !== undefined) {
      const first = Math.max(1, last + 1 + i.append.at);
      this.term++;
      batch.entries = Array.from({ length: i.append.count }, (_, k) => ({
        index: first + k,
        term: this.term,
        type: 'normal' as const,
        data: Uint8Array.of(first + k, this.term),
      }));
      if (i.append.count > 0) last = first + i.append.count - 1;
    }
    if (i.hardTerm !== undefined) batch.hardState = { term: i.hardTerm, vote: '', commit: 0 };
    if (i.save !== undefined) batch.saveSnapshot = snap(Math.max(0, last + i.save));
    if (i.compact !== undefined) {
      const base = batch.saveSnapshot?.meta.index ?? batch.installSnapshot?.meta.index ?? this.snapshot?.meta.index ?? 0;
      batch.compactTo = Math.max(0, base + i.compact);
    }
    return batch;
  }

  apply(batch: LogWrite): void {
    if (batch.installSnapshot !== undefined) {
      this.entries.clear();
      this.snapshot = batch.installSnapshot;
      this.floor = batch.installSnapshot.meta.index;
    }
    const first = batch.entries?.[0]?.index;
    if (first !== undefined) {
      for (const index of [...this.entries.keys()]) if (index >= first) this.entries.delete(index);
      for (const e of batch.entries!) this.entries.set(e.index, e);
    }
    if (batch.saveSnapshot !== undefined) this.snapshot = batch.saveSnapshot;
    if (batch.compactTo !== undefined && batch.compactTo > this.floor) {
      for (const index of [...this.entries.keys()]) if (index <= batch.compactTo) this.entries.delete(index);
      this.floor = batch.compactTo;
    }
  }

  sorted(): Entry[] {
    return [...this.entries.values()].sort((a, b) => a.index - b.index);
  }
}

describe('MemoryLogStore against a model', () => {
  it('random batch sequences leave the same log as the model, refusals change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(intent, { maxLength: 25 }), async (intents) => {
        const model = new Model();
        const store = new MemoryLogStore();
        for (const i of intents) {
          const batch = model.batch(i);
          const bounds = { ...store.data.bounds };
          let expected: unknown;
          try {
            checkLogWrite(bounds, batch);
          } catch (error) {
            expected = error;
          }
          const outcome = await store.write(batch).then(
            () => undefined,
            (error: unknown) => error,
          );
          if (expected === undefined) {
            expect(outcome).toBeUndefined();
            model.apply(batch);
          } else {
            expect(outcome).toBeInstanceOf(LogStoreError);
            expect((outcome as LogStoreError).code).toBe((expected as LogStoreError).code);
          }
          expect(await store.entries(0, Number.MAX_SAFE_INTEGER)).toEqual(model.sorted());
          expect(store.data.bounds.lastIndex).toBe(model.lastIndex);
          const loaded = await store.load();
          expect(loaded.snapshot).toEqual(model.snapshot);
          expect(loaded.entries).toEqual(model.sorted().filter((e) => e.index > (model.snapshot?.meta.index ?? 0)));
        }
      }),
      { numRuns: 300 },
    );
  });
});

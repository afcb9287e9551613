/**
 * The LogStore conformance suite: one case per rule of the LogStore doc comment. Any
 * implementation runs it in a few lines:
 *
 *   runConformance(logStoreConformance((name) => openMyStore(name)), { describe, it });
 */
import type { Entry, HardState, Snapshot } from '../raft/types.ts';
import type { LogStore } from '../storage/log-store.ts';
import { assert, assertEqual, assertRejects } from './assert.ts';
import { sampleConfState } from './messages.ts';
import type { ConformanceCase } from './runner.ts';

/**
 * Opens the store called `name`. Called again with the same name after `close()`, it must
 * reopen what was durable (that is how the suite checks durability).
 */
export type OpenLogStore = (name: string) => LogStore | Promise<LogStore>;

export interface LogStoreConformanceOptions {
  /** Prefix of the store names the suite asks for. @default a prefix unique to this call */
  readonly namePrefix?: string;
  /** Skip the cases that reopen a store (for a store that cannot). @default true */
  readonly reopen?: boolean;
  /** Size of the large entry written by the binary-data case. @default 1 MiB */
  readonly largeEntryBytes?: number;
  /**
   * Simulates a crash: the store must lose what is not yet durable and become unusable (it is
   * then reopened by name). When given, the suite checks that a crash keeps whole batches, in
   * call order, including every batch whose write had resolved.
   */
  readonly crash?: (store: LogStore) => void | Promise<void>;
}

let suiteCounter = 0;

export function entry(index: number, term: number, data: Uint8Array = Uint8Array.of(index & 0xff)): Entry {
  return { index, term, type: 'normal', data };
}

export function entryRange(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

function snapshot(index: number, term: number, fill = 7): Snapshot {
  return { meta: { index, term, conf: sampleConfState }, data: new Uint8Array(64).fill(fill) };
}

export function logStoreConformance(open: OpenLogStore, options: LogStoreConformanceOptions = {}): ConformanceCase[] {
  const prefix = options.namePrefix ?? `logstore-conformance-${Date.now().toString(36)}-${suiteCounter++}`;
  const reopen = options.reopen ?? true;
  const largeBytes = options.largeEntryBytes ?? 1024 * 1024;
  let storeCounter = 0;

  /** Runs `body` with a fresh store and `again()` to close and reopen it; closes whatever is open at the end. */
  const withStore =
    (body: (store: LogStore, again: () => Promise<LogStore>) => Promise<void>) => async (): Promise<void> => {
      const name = `${prefix}-${storeCounter++}`;
      let current = await open(name);
      // The body may close the store itself, so closing here must tolerate a second close.
      const again = async (): Promise<LogStore> => {
        await current.close().catch(() => undefined);
        current = await open(name);
        return current;
      };
      try {
        await body(current, again);
      } finally {
        await current.close().catch(() => undefined);
      }
    };

  const cases: ConformanceCase[] = [];
  const add = (name: string, body: (store: LogStore, again: () => Promise<LogStore>) => Promise<void>, needsReopen = false): void => {
    if (needsReopen && !reopen) return;
    cases.push({ name: `LogStore: ${name}`, run: withStore(body) });
  };

  add('a new store loads empty', async (store) => {
    const state = await store.load();
    assert(state.empty, 'a new store must report empty: true');
    assertEqual(state.hardState, { term: 0, vote: '', commit: 0 }, 'hard state of a new store');
    assertEqual(state.entries, [], 'entries of a new store');
    assert(state.snapshot === undefined, 'a new store has no snapshot');
  });

  add('appended entries read back in order', async (store) => {
    await store.load();
    await store.write({ entries: entryRange(1, 5, 1) });
    await store.write({ entries: entryRange(6, 8, 2) });
    assertEqual(await store.entries(1, 9), [...entryRange(1, 5, 1), ...entryRange(6, 8, 2)], 'entries(1, 9)');
    assertEqual(await store.entries(3, 5), entryRange(3, 4, 1), 'entries(3, 5) is the half-open range');
    assertEqual(await store.entries(7, 100), entryRange(7, 8, 2), 'a range past the end returns what is stored');
    assertEqual(await store.entries(5, 5), [], 'an empty range');
  });

  add('hard state: the latest write wins', async (store) => {
    await store.load();
    const first: HardState = { term: 3, vote: 'n2', commit: 0 };
    const second: HardState = { term: 4, vote: '', commit: 2 };
    await store.write({ hardState: first, entries: entryRange(1, 2, 3) });
    await store.write({ hardState: second });
    const loaded = await store.load();
    assertEqual(loaded.hardState, second, 'hard state after two writes');
    assert(!loaded.empty, 'a written store is not empty');
  });

  add('an append drops every stored entry from its first index on', async (store) => {
    await store.load();
    await store.write({ entries: entryRange(1, 6, 1) });
    await store.write({ entries: entryRange(3, 4, 2) });
    assertEqual(await store.entries(1, 10), [...entryRange(1, 2, 1), ...entryRange(3, 4, 2)], 'entries after overwrite');
    await store.write({ entries: entryRange(5, 5, 2) });
    assertEqual((await store.entries(1, 10)).length, 5, 'appending after an overwrite continues at its end');
  });

  add('an append that would leave a hole is rejected and changes nothing', async (store) => {
    await store.load();
    await store.write({ entries: entryRange(1, 3, 1), hardState: { term: 1, vote: 'a', commit: 1 } });
    await assertRejects(
      store.write({ entries: entryRange(5, 6, 1), hardState: { term: 9, vote: 'b', commit: 3 } }),
      'hole',
      'appending at lastIndex + 2',
    );
    assertEqual(await store.entries(1, 10), entryRange(1, 3, 1), 'entries after the rejected write');
    assertEqual((await store.load()).hardState, { term: 1, vote: 'a', commit: 1 }, 'hard state after the rejected write');
    await store.write({ entries: entryRange(4, 4, 1) });
    assertEqual((await store.entries(1, 10)).length, 4, 'the store still accepts a valid write');
  });

  add('the first append of a new store must start at index 1', async (store) => {
    await store.load();
    await assertRejects(store.write({ entries: entryRange(2, 3, 1) }), 'hole', 'appending at 2 to an empty log');
  });

  add('writes issued without waiting apply in call order', async (store) => {
    await store.load();
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 50; i++) {
      writes.push(store.write({ entries: [entry(i, i)], hardState: { term: i, vote: '', commit: i - 1 } }));
    }
    // Overwrite the tail while earlier writes may still be in flight.
    writes.push(store.write({ entries: entryRange(40, 45, 60), hardState: { term: 60, vote: 'x', commit: 39 } }));
    await Promise.all(writes);
    const expected = [...Array.from({ length: 39 }, (_, k) => entry(k + 1, k + 1)), ...entryRange(40, 45, 60)];
    assertEqual(await store.entries(1, 100), expected, 'entries after concurrent writes');
    assertEqual((await store.load()).hardState, { term: 60, vote: 'x', commit: 39 }, 'hard state of the last write');
  });

  add('one batch applies installSnapshot, entries, hardState, saveSnapshot, compactTo in that order', async (store) => {
    await store.load();
    await store.write({ entries: entryRange(1, 10, 1) });
    await store.write({
      installSnapshot: snapshot(20, 2),
      entries: entryRange(21, 25, 3),
      hardState: { term: 3, vote: 'n1', commit: 24 },
      saveSnapshot: snapshot(24, 3, 9),
      compactTo: 22,
    });
    const state = await store.load();
    assertEqual(state.snapshot, snapshot(24, 3, 9), 'the saved snapshot is the latest');
    assertEqual(state.entries, entryRange(25, 25, 3), 'load returns the entries after the snapshot');
    assertEqual(await store.entries(1, 100), entryRange(23, 25, 3), 'entries after compaction to 22');
  });

  add('installSnapshot replaces the whole log', async (store) => {
    await store.load();
    await store.write({ entries: entryRange(1, 30, 1) });
    await store.write({ installSnapshot: snapshot(20, 1) });
    const state = await store.load();
    assertEqual(state.snapshot, snapshot(20, 1), 'installed snapshot');
    assertEqual(state.entries, [], 'no entries survive an install');
    assertEqual(await store.entries(1, 100), [], 'entries(1, 100) after install');
    await assertRejects(store.write({ entries: [entry(22, 2)] }), 'hole', 'appending at snapshot index + 2');
    await store.write({ entries: entryRange(21, 22, 2) });
    assertEqual(await store.entries(1, 100), entryRange(21, 22, 2), 'appending after the snapshot');
  });

  add('saveSnapshot keeps the log; compactTo drops entries up to it', async (store) => {
    await store.load();
    await store.write({ entries: entryRange(1, 10, 1) });
    await store.write({ saveSnapshot: snapshot(6, 1) });
    assertEqual(await store.entries(1, 11), entryRange(1, 10, 1), 'the log is kept after saveSnapshot');
    assertEqual((await store.load()).entries, entryRange(7, 10, 1), 'load returns only entries after the snapshot');
    await store.write({ compactTo: 4 });
    assertEqual(await store.entries(1, 11), entryRange(5, 10, 1), 'entries after compactTo 4');
    await store.write({ compactTo: 6 });
    assertEqual(await store.entries(1, 11), entryRange(7, 10, 1), 'entries after compactTo 6');
    await store.write({ entries: entryRange(11, 12, 2) });
    assertEqual(await store.entries(1, 20), [...entryRange(7, 10, 1), ...entryRange(11, 12, 2)], 'appending after compaction');
  });

  add('compactTo beyond the latest durable snapshot is rejected and changes nothing', async (store) => {
    await store.load();
    await store.write({ entries: entryRange(1, 10, 1) });
    await assertRejects(store.write({ compactTo: 3 }), 'compaction', 'compactTo without any snapshot');
    await store.write({ saveSnapshot: snapshot(5, 1) });
    await assertRejects(
      store.write({ hardState: { term: 5, vote: '', commit: 9 }, compactTo: 6 }),
      'compaction',
      'compactTo past the snapshot index',
    );
    assertEqual(await store.entries(1, 11), entryRange(1, 10, 1), 'entries after the rejected compaction');
    assertEqual((await store.load()).hardState, { term: 0, vote: '', commit: 0 }, 'hard state after the rejected batch');
  });

  add('binary data survives byte for byte, including a large entry', async (store, again) => {
    await store.load();
    const large = new Uint8Array(largeBytes);
    for (let i = 0; i < large.length; i++) large[i] = (i * 31 + (i >> 8)) & 0xff;
    const entries: Entry[] = [
      { index: 1, term: 1, type: 'noop', data: new Uint8Array(0) },
      { index: 2, term: 1, type: 'config', data: Uint8Array.of(0, 255, 0, 128) },
      { index: 3, term: 1, type: 'normal', data: large },
    ];
    await store.write({ entries });
    assertEqual(await store.entries(1, 4), entries, 'binary entries');
    if (reopen) {
      const reopened = await again();
      assertEqual((await reopened.load()).entries, entries, 'binary entries after reopening');
    }
  });

  add('the store identity in the hard state and the store bindings of a snapshot survive reopening', async (store, again) => {
    await store.load();
    const hardState: HardState = { term: 2, vote: '', commit: 0, store: 'k3v0q9x1m2n8b7c6d5e4f3g2h1' };
    const bound: Snapshot = {
      meta: { index: 0, term: 0, conf: { ...snapshot(0, 0).meta.conf, stores: { n1: hardState.store!, 'nœud-2': 'a1b2c3d4' } } },
      data: new Uint8Array([1, 2, 3]),
    };
    await store.write({ hardState, saveSnapshot: bound });
    assertEqual((await store.load()).hardState, hardState, 'hard state with a store identity');
    const reopened = await again();
    const state = await reopened.load();
    assertEqual(state.hardState, hardState, 'hard state with a store identity after reopening');
    assertEqual(state.snapshot?.meta.conf.stores, bound.meta.conf.stores, 'store bindings after reopening');
  }, true);

  add('reopening after close keeps everything that was durable', async (store, again) => {
    await store.load();
    const hardState: HardState = { term: 5, vote: 'nœud-2', commit: 14 };
    await store.write({ entries: entryRange(1, 12, 4) });
    await store.write({ saveSnapshot: snapshot(10, 4), compactTo: 8 });
    await store.write({ entries: entryRange(13, 15, 5), hardState });
    const reopened = await again();
    const state = await reopened.load();
    assert(!state.empty, 'a reopened store that was written is not empty');
    assertEqual(state.hardState, hardState, 'hard state after reopening');
    assertEqual(state.snapshot, snapshot(10, 4), 'snapshot after reopening');
    assertEqual(state.entries, [...entryRange(11, 12, 4), ...entryRange(13, 15, 5)], 'entries after reopening');
    assertEqual(await reopened.entries(1, 20), [...entryRange(9, 12, 4), ...entryRange(13, 15, 5)], 'stored range after reopening');
    await reopened.write({ entries: entryRange(14, 14, 6) });
    assertEqual(await reopened.entries(13, 20), [entry(13, 5), entry(14, 6)], 'a reopened store accepts writes');
  }, true);

  add('a store reopened without writes stays empty', async (_store, again) => {
    const state = await (await again()).load();
    assert(state.empty, 'reopening a never-written store must report empty: true');
  }, true);

  add('a write issued before close either completes durably or rejects', async (store, again) => {
    await store.load();
    await store.write({ entries: entryRange(1, 2, 1) });
    const outcome = store.write({ entries: entryRange(3, 4, 1) }).then(
      () => true,
      () => false,
    );
    await store.close();
    const applied = await outcome;
    const stored = (await (await again()).load()).entries;
    assertEqual(stored, entryRange(1, applied ? 4 : 2, 1), `entries after close (write ${applied ? 'resolved' : 'rejected'})`);
  }, true);

  if (options.crash !== undefined && reopen) {
    const crash = options.crash;
    add('a crash keeps a prefix of whole batches, including every resolved one', async (store, again) => {
      await store.load();
      const resolved: number[] = [];
      const writes: Promise<void>[] = [];
      for (let i = 1; i <= 20; i++) {
        const write = store.write({ entries: entryRange(2 * i - 1, 2 * i, i), hardState: { term: i, vote: '', commit: 0 } });
        writes.push(write.then(() => void resolved.push(i)));
        if (i === 10) await writes[0]; // let some of them become durable before the crash
      }
      await crash(store);
      await Promise.allSettled(writes);
      const durableBeforeCrash = resolved.length;
      const state = await (await again()).load();
      const batches = state.hardState.term;
      assertEqual(state.entries.length, 2 * batches, `entries after the crash (hard state says ${batches} batches survived)`);
      assertEqual(state.entries, entryRange(1, 2 * batches, 1).map((e) => entry(e.index, Math.ceil(e.index / 2))), 'surviving entries');
      assert(batches >= durableBeforeCrash, `${durableBeforeCrash} writes resolved but only ${batches} survived the crash`);
    }, true);
  }

  add('operations after close reject with code closed', async (store) => {
    await store.load();
    await store.close();
    await assertRejects(store.write({ entries: entryRange(1, 1, 1) }), 'closed', 'write after close');
  });

  return cases;
}

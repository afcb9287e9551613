// Segment rotation, compaction dropping whole segments, snapshot files.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CorruptLogError, fileLogStore } from '../src/index.ts';
import { entries, scratchDirectory, snapshot } from './helpers.ts';

let scratch: ReturnType<typeof scratchDirectory>;
beforeEach(() => void (scratch = scratchDirectory('segments')));
afterEach(() => scratch.cleanup());

const files = (suffix: string): string[] => readdirSync(scratch.dir).filter((f) => f.endsWith(suffix)).sort();

/** 8 segments of 10 entries each: one write of 10 entries of 500 bytes fills a 4 KiB segment. */
async function tenPerSegment() {
  const store = fileLogStore({ dir: scratch.dir, segmentBytes: 4096 });
  await store.load();
  for (let first = 1; first <= 71; first += 10) await store.write({ entries: entries(first, first + 9, 1, 500) });
  expect(files('.log')).toHaveLength(8);
  return store;
}

it('compaction deletes exactly the segments whose entries are all compacted', async () => {
  const store = await tenPerSegment();
  await store.write({ saveSnapshot: snapshot(35, 1), compactTo: 29 });
  // Segments 1 and 2 hold entries 1-20; segment 3 holds 21-30 and still has entry 30. The
  // snapshot's record went to a new segment 9, as segment 8 was full.
  expect(files('.log').map((f) => Number.parseInt(f.slice(8, 24), 16))).toEqual([3, 4, 5, 6, 7, 8, 9]);
  await store.write({ compactTo: 30 });
  expect(files('.log')[0]).toBe('segment-0000000000000004.log');
  await store.close();
  const reopened = fileLogStore({ dir: scratch.dir });
  const state = await reopened.load();
  expect(state.snapshot?.meta.index).toBe(35);
  expect(state.entries.map((e) => e.index)).toEqual(Array.from({ length: 45 }, (_, i) => 36 + i));
  expect(await reopened.entries(1, 100)).toEqual(entries(31, 80, 1, 500));
  await reopened.close();
});

it('a segment whose entries were all overwritten is deleted once compaction passes the overwrite', async () => {
  const store = await tenPerSegment();
  // Overwrite from 15 on: segment 2 keeps 11-14, segments 3-8 hold nothing live any more.
  await store.write({ entries: entries(15, 16, 2, 500) });
  await store.write({ saveSnapshot: snapshot(16, 2), compactTo: 14 });
  expect(files('.log')[0]).toBe('segment-0000000000000009.log');
  await store.close();
  const reopened = fileLogStore({ dir: scratch.dir });
  await reopened.load();
  expect(await reopened.entries(1, 100)).toEqual(entries(15, 16, 2, 500));
  await reopened.close();
});

it('only the latest snapshot file is kept', async () => {
  const store = await tenPerSegment();
  await store.write({ saveSnapshot: snapshot(10, 1, 1) });
  await store.write({ saveSnapshot: snapshot(20, 1, 2) });
  await store.write({ installSnapshot: snapshot(100, 3, 3), saveSnapshot: snapshot(100, 3, 4) });
  expect(files('.snap')).toEqual(['snapshot-0000000000000004.snap']);
  await store.close();
  const reopened = fileLogStore({ dir: scratch.dir });
  expect((await reopened.load()).snapshot).toEqual(snapshot(100, 3, 4));
  await reopened.close();
});

it('leftovers of a crash (temporary files, unreferenced snapshots) are removed on open', async () => {
  const store = await tenPerSegment();
  await store.write({ saveSnapshot: snapshot(10, 1, 1) });
  await store.close();
  writeFileSync(join(scratch.dir, 'snapshot-0000000000000009.snap'), 'written, never referenced');
  writeFileSync(join(scratch.dir, 'segment-0000000000000009.log.tmp'), 'a rotation that did not finish');
  const reopened = fileLogStore({ dir: scratch.dir });
  await reopened.load();
  expect(reopened.recovery!.removedFiles.sort()).toEqual(['segment-0000000000000009.log.tmp', 'snapshot-0000000000000009.snap']);
  expect(files('.snap')).toEqual(['snapshot-0000000000000001.snap']);
  await reopened.write({ entries: entries(81, 81, 1) });
  await reopened.close();
});

it('a missing segment, a missing snapshot and a foreign snapshot are corruption, with the file named', async () => {
  const store = await tenPerSegment();
  await store.write({ saveSnapshot: snapshot(10, 1, 1) });
  await store.close();
  const reopen = async () => {
    const s = fileLogStore({ dir: scratch.dir });
    try {
      return await s.load().then(() => undefined, (e: unknown) => e);
    } finally {
      await s.close();
    }
  };
  const snap = join(scratch.dir, 'snapshot-0000000000000001.snap');
  const original = readFileSync(snap);
  writeFileSync(snap, Buffer.concat([original.subarray(0, 40), Buffer.from([original[40]! ^ 1]), original.subarray(41)]));
  expect(await reopen()).toMatchObject({ name: 'CorruptLogError', file: 'snapshot-0000000000000001.snap', code: 'corrupt' });
  writeFileSync(snap, original);
  const middle = join(scratch.dir, 'segment-0000000000000004.log');
  const segment = readFileSync(middle);
  writeFileSync(middle, '');
  expect(await reopen()).toBeInstanceOf(CorruptLogError);
  writeFileSync(middle, segment);
  expect(await reopen()).toBeUndefined();
  const { rmSync } = await import('node:fs');
  rmSync(middle);
  expect(await reopen()).toMatchObject({ file: 'segment-0000000000000004.log', detail: 'segment file missing' });
});

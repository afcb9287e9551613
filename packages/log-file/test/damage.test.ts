// Damage injected into a closed log, at seeded random places: a torn tail (the file cut short,
// or sectors of the last write never written) is cut and counted; a flipped bit anywhere
// before the last write is CorruptLogError naming the file and the damaged record. Never is
// a damaged log loaded as if it were whole. A failing trial replays alone with SEED=n.
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogWrite, StoredState } from '@webraft/core';
import { seededRandom } from '@webraft/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CorruptLogError, fileLogStore } from '../src/index.ts';
import { scratchDirectory } from './helpers.ts';
import { checkPrefix, nextBatch, workloadState } from './workload.ts';

const TRIALS = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 50 }, (_, i) => i + 1);

let scratch: ReturnType<typeof scratchDirectory>;
let pristine: string;
let start: StoredState;
const batches: LogWrite[] = [];
/** Where the last write's bytes begin in the last segment: only they may be judged torn. */
let lastWriteAt: number;
let lastSegment: string;

beforeAll(async () => {
  scratch = scratchDirectory('damage');
  pristine = join(scratch.dir, 'pristine');
  const store = fileLogStore({ dir: pristine, segmentBytes: 4096 });
  start = await store.load();
  const random = seededRandom(99);
  const state = workloadState(start);
  for (let i = 0; i < 400; i++) {
    const batch = nextBatch(random, state, { maxEntryBytes: 200, snapshotRate: 0.004, installRate: 0 });
    batches.push(batch);
    if (i === 399) {
      lastSegment = segments(pristine).at(-1)!;
      lastWriteAt = statSync(join(pristine, lastSegment)).size;
    }
    await store.write(batch);
  }
  await store.close();
  // The last write must have gone to the segment measured above.
  expect(segments(pristine).at(-1)).toBe(lastSegment);
  expect(segments(pristine).length).toBeGreaterThan(3);
});
afterAll(() => scratch.cleanup());

function segments(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
}

/** A copy of the pristine log with `damage` applied; loads it and reports the outcome. */
async function damaged(trial: number, damage: (dir: string) => void) {
  const dir = join(scratch.dir, `trial-${trial}`);
  cpSync(pristine, dir, { recursive: true });
  damage(dir);
  const store = fileLogStore({ dir });
  try {
    const state = await store.load().catch((error: unknown) => error);
    return { state, recovery: store.recovery };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

it(`a torn tail is cut and counted, and what is left is a prefix of the writes (${TRIALS.length} trials)`, async () => {
  let cut = 0;
  for (const trial of TRIALS) {
    const random = seededRandom(trial);
    const { state, recovery } = await damaged(trial, (dir) => {
      const path = join(dir, lastSegment);
      const bytes = readFileSync(path);
      if (random() < 0.5) {
        // The write stopped short.
        writeFileSync(path, bytes.subarray(0, lastWriteAt + Math.floor(random() * (bytes.length - lastWriteAt))));
        return;
      }
      // Sectors of the last write never reached the disk (the file's size did): zeros there.
      for (let sector = Math.floor(lastWriteAt / 512) * 512; sector < bytes.length; sector += 512) {
        if (random() < 0.4) bytes.fill(0, Math.max(sector, lastWriteAt), Math.min(sector + 512, bytes.length));
      }
      writeFileSync(path, bytes);
    });
    if (state instanceof Error) throw new Error(`trial ${trial} (SEED=${trial}): ${state.message}`);
    const applied = await checkPrefix(start, batches, batches.length - 1, state as StoredState);
    if (applied < batches.length) {
      expect(recovery!.tornTails, `trial ${trial}`).toEqual([{ file: lastSegment, offset: lastWriteAt, bytes: expect.any(Number) }]);
      cut++;
    }
  }
  expect(cut).toBeGreaterThan(TRIALS.length / 2);
});

it(`a flipped bit is corruption naming the file and record, unless it lies in the last write (${TRIALS.length} trials)`, async () => {
  const files = readdirSync(pristine).filter((f) => f.endsWith('.log') || f.endsWith('.snap'));
  const sizes = files.map((f) => statSync(join(pristine, f)).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  let errors = 0;
  for (const trial of TRIALS) {
    const random = seededRandom(1000 + trial);
    let at = Math.floor(random() * total);
    let k = 0;
    while (at >= sizes[k]!) at -= sizes[k++]!;
    const file = files[k]!;
    const { state, recovery } = await damaged(trial, (dir) => {
      const bytes = readFileSync(join(dir, file));
      bytes[at]! ^= 1 << Math.floor(random() * 8);
      writeFileSync(join(dir, file), bytes);
    });
    const where = `trial ${trial} (SEED=${trial}): bit flipped in ${file} at ${at}`;
    if (state instanceof CorruptLogError) {
      expect(state.file, where).toBe(file);
      expect(state.offset, where).toBeLessThanOrEqual(at);
      errors++;
      continue;
    }
    // Loaded: only a flip inside the last write may pass, and only as a torn tail cut before it.
    expect(state, where).not.toBeInstanceOf(Error);
    expect(file === lastSegment && at >= lastWriteAt, `${where}: loaded without an error`).toBe(true);
    expect(recovery!.tornTails, where).toEqual([{ file, offset: lastWriteAt, bytes: expect.any(Number) }]);
    await checkPrefix(start, batches, batches.length - 1, state as StoredState);
  }
  expect(errors).toBeGreaterThan(TRIALS.length * 0.9);
});

it('a zeroed sector in a synced group followed by the next group is corruption, not a torn tail', async () => {
  const dir = join(scratch.dir, 'synced-sector');
  const store = fileLogStore({ dir });
  await store.load();
  const payload = (index: number, bytes: number) => [{ index, term: 1, type: 'normal' as const, data: new Uint8Array(bytes).fill(index) }];
  await store.write({ entries: payload(1, 100) });
  await store.write({ entries: payload(2, 3000) });
  const segment = join(dir, segments(dir)[0]!);
  const secondEnds = statSync(segment).size;
  await store.write({ entries: payload(3, 100) });
  await store.close();
  // A whole sector inside entry 2's data (synced with its own group) reads back as zeros.
  const bytes = readFileSync(segment);
  const sector = Math.floor((secondEnds - 1024) / 512) * 512;
  bytes.fill(0, sector, sector + 512);
  writeFileSync(segment, bytes);
  const reopened = fileLogStore({ dir });
  await expect(reopened.load()).rejects.toMatchObject({ name: 'CorruptLogError', file: segments(dir)[0] });
  await reopened.close();
});

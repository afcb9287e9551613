// Seeded power cuts at random moments while many writes are in flight, on a disk that loses
// what was not synced (and tears what was being written): every acknowledged write survives,
// and what survives is a prefix of whole batches. A failing seed replays alone with SEED=n.
import type { LogWrite, StoredState } from '@webraft/core';
import { seededRandom } from '@webraft/core/testing';
import { expect, it } from 'vitest';
import { fileLogStore } from '../src/index.ts';
import { FaultFileSystem } from './fault-fs.ts';
import { checkPrefix, nextBatch, workloadState } from './workload.ts';

const SEEDS = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 60 }, (_, i) => i + 1);
const CUTS_PER_SEED = 5;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function run(seed: number): Promise<{ acknowledged: number; torn: number }> {
  const random = seededRandom(seed);
  let disk = new FaultFileSystem();
  const open = () => fileLogStore({ dir: '/node/log', segmentBytes: 4096 + Math.floor(random() * 8192), fileSystem: disk, lockHost: disk.lockHost });
  let store = open();
  let start: StoredState = await store.load();
  let acknowledgedTotal = 0;
  let torn = 0;
  for (let cut = 0; cut < CUTS_PER_SEED; cut++) {
    const state = workloadState(start);
    const batches: LogWrite[] = [];
    let acknowledged = 0;
    const writes: Promise<void>[] = [];
    const total = 1 + Math.floor(random() * 120);
    const cutAfterTicks = Math.floor(random() * 12);
    for (let i = 0; i < total; i++) {
      const batch = nextBatch(random, state, { maxEntryBytes: 600, snapshotRate: 0.05 });
      batches.push(batch);
      writes.push(store.write(batch).then(() => void acknowledged++));
      if (random() < 0.1) await tick();
    }
    for (let t = 0; t < cutAfterTicks; t++) await tick();
    const acknowledgedAtCut = acknowledged;
    disk = disk.crash(random);
    await Promise.allSettled(writes);
    store = open();
    const reopened = await store.load();
    await checkPrefix(start, batches, acknowledgedAtCut, reopened);
    torn += store.recovery!.tornTails.length;
    acknowledgedTotal += acknowledgedAtCut;
    start = reopened;
  }
  await store.close();
  return { acknowledged: acknowledgedTotal, torn };
}

it(`power cuts with writes in flight keep every acknowledged write (${SEEDS.length} seeds × ${CUTS_PER_SEED} cuts)`, async () => {
  let acknowledged = 0;
  let torn = 0;
  for (const seed of SEEDS) {
    const result = await run(seed).catch((error: Error) => {
      throw new Error(`seed ${seed} (replay with SEED=${seed}): ${error.message}`, { cause: error });
    });
    acknowledged += result.acknowledged;
    torn += result.torn;
  }
  // The runs must exercise both outcomes, or the test proves nothing.
  console.log(`acknowledged ${acknowledged}, torn tails ${torn}`);
  expect(acknowledged).toBeGreaterThan(100);
  expect(torn).toBeGreaterThan(5);
}, 60_000);

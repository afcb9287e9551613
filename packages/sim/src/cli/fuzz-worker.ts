/** A fuzz worker thread: runs the batches of seeds it is sent and answers with one summary per seed. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FuzzOptions } from '../run.ts';
import { loadSim } from './cores.ts';

export interface WorkerData {
  readonly mutant: string | undefined;
  readonly options: FuzzOptions;
}

export interface SeedSummary {
  readonly seed: number;
  readonly ok: boolean;
  readonly property: string;
  readonly detail: string;
  readonly steps: number;
}

export interface WorkerReply {
  readonly results: readonly SeedSummary[];
}

const data = workerData as WorkerData;
const sim = await loadSim(data.mutant);

parentPort?.on('message', async (seeds: number[]) => {
  const results: SeedSummary[] = [];
  for (const seed of seeds) {
    const r = await sim.runSeed(seed, sim.rawNodeCore, data.options);
    results.push({ seed, ok: r.ok, property: r.violation?.property ?? '', detail: r.violation?.detail ?? '', steps: r.steps });
  }
  const reply: WorkerReply = { results };
  parentPort?.postMessage(reply);
});

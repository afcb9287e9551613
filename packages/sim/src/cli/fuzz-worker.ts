/** A fuzz worker thread: runs the batches of seeds it is sent and answers with one summary per seed. */
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed, type FuzzOptions } from '../run.ts';
import { coreFor } from './cores.ts';

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
const core = coreFor(data.mutant);

parentPort?.on('message', (seeds: number[]) => {
  const results = seeds.map((seed): SeedSummary => {
    const r = runSeed(seed, core, data.options);
    return { seed, ok: r.ok, property: r.violation?.property ?? '', detail: r.violation?.detail ?? '', steps: r.steps };
  });
  const reply: WorkerReply = { results };
  parentPort?.postMessage(reply);
});

// The process the kill test SIGKILLs: opens the log in argv[2], reports "ready <commit>", then
// writes the seeded workload of argv[3] with argv[4] writes in flight, reporting "ack <seq>"
// on stdout (a pipe to the parent) each time writes resolve, until it is killed.
import { writeSync } from 'node:fs';
import { seededRandom } from '@webraft/core/testing';
import { fileLogStore } from '../src/index.ts';
import { KILL_WORKLOAD, nextBatch, workloadState } from './workload.ts';

const [dir, seed, inflight, segmentBytes] = process.argv.slice(2);
const store = fileLogStore({ dir: dir!, segmentBytes: Number(segmentBytes) });
const stored = await store.load();
const state = workloadState(stored);
const random = seededRandom(Number(seed));
writeSync(1, `ready ${stored.hardState.commit}\n`);

let acked = 0;
let reporting = false;
const report = (): void => {
  reporting = false;
  writeSync(1, `ack ${acked}\n`);
};
const next = (): void => {
  const batch = nextBatch(random, state, KILL_WORKLOAD);
  const seq = state.seq;
  store.write(batch).then(() => {
    acked = seq;
    // One line per group of writes that resolved together.
    if (!reporting) {
      reporting = true;
      queueMicrotask(report);
    }
    next();
  }, (error: unknown) => {
    process.stderr.write(`write ${seq} failed: ${String(error)}\n`);
    process.exit(1);
  });
};
for (let i = 0; i < Number(inflight); i++) next();

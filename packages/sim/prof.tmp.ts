import { runSeed } from '@webraft/sim';
import { realCore } from './src/cli/cores.ts';
const t0 = performance.now();
let steps = 0;
for (let seed = 0; seed < 30; seed++) steps += runSeed(seed, realCore, { ops: 300 }).steps;
console.log('ms/seed', (performance.now() - t0) / 30, 'µs/step', (performance.now() - t0) * 1000 / steps);

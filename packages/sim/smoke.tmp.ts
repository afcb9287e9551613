import { runSeed } from '@webraft/sim';
import { realCore } from './src/cli/cores.ts';
const t0 = performance.now();
let steps = 0;
for (let seed = 0; seed < 20; seed++) {
  const r = runSeed(seed, realCore, { ops: 300 });
  steps += r.steps;
  console.log(seed, r.ok, r.violation?.property, r.violation?.detail, r.steps, r.virtualMs.toFixed(0), r.history.length, JSON.stringify(r.network));
}
console.log('ms/seed', (performance.now() - t0) / 20, 'steps', steps);

import { runSeed } from '@webraft/sim';
import { mutantCore, mutantNames } from './src/cli/cores.ts';
const only = process.argv[2];
for (const name of mutantNames()) {
  if (only && name !== only) continue;
  const core = mutantCore(name);
  const t0 = performance.now();
  let found = -1; let prop = ''; let errs = 0;
  const props = new Map<string, number>();
  for (let seed = 0; seed < 100; seed++) {
    let r;
    try { r = runSeed(seed, core, { ops: 300 }); } catch (e) { errs++; if (errs < 3) console.log(name, seed, 'THROW', (e as Error).message); continue; }
    if (!r.ok) { props.set(r.violation!.property, (props.get(r.violation!.property) ?? 0) + 1); if (found < 0) { found = seed; prop = r.violation!.property + ': ' + r.violation!.detail; } }
  }
  console.log(name, 'first', found, prop.slice(0, 200), JSON.stringify([...props]), 'errs', errs, ((performance.now() - t0) / 1000).toFixed(1) + 's');
}

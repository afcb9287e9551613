import { describe, expect, it } from 'vitest';
import { mutantCore, mutantNames } from '../src/cli/cores.ts';
import { runSeed } from '../src/run.ts';

/** Every broken core must fail one of the first BOUND seeds of a fuzz run. */
const BOUND = 200;

describe('every mutant is caught', () => {
  it('lists the mutants the core offers', () => {
    expect(mutantNames().length).toBeGreaterThanOrEqual(6);
  });

  for (const name of mutantNames()) {
    it(`${name} fails within ${BOUND} seeds`, () => {
      const core = mutantCore(name);
      let caught: { seed: number; property: string } | undefined;
      for (let seed = 0; seed < BOUND && caught === undefined; seed++) {
        const r = runSeed(seed, core, { ops: 300 });
        if (r.violation) caught = { seed, property: r.violation.property };
      }
      expect(caught, `${name} survived ${BOUND} seeds`).toBeDefined();
      console.log(`${name}: caught at seed ${caught?.seed} by ${caught?.property}`);
    }, 600_000);
  }
});

import { describe, expect, it } from 'vitest';
import { realCore } from '../src/cli/cores.ts';
import { checkLinearizable } from '../src/linearizability.ts';
import { formatFailure, runSeed } from '../src/run.ts';

describe('the real core under the whole fault mix', () => {
  it('300 seeds of 60 client operations keep every invariant and stay linearizable', () => {
    const failures: string[] = [];
    let ops = 0;
    for (let seed = 10_000; seed < 10_300; seed++) {
      const r = runSeed(seed, realCore, { ops: 60 });
      ops += r.history.length;
      if (!r.ok) failures.push(formatFailure(runSeed(seed, realCore, { ops: 60, traceSteps: 40 }), `seed ${seed}`));
    }
    expect(failures).toEqual([]);
    expect(ops).toBeGreaterThanOrEqual(300 * 61);
  }, 600_000);

  it('a run produces a history the checker accepts, with every kind of operation and outcome', () => {
    const r = runSeed(11, realCore, { ops: 300 });
    expect(r.ok).toBe(true);
    const kinds = new Set(r.history.map((op) => `${op.input.op}:${op.type}`));
    for (const k of ['get:ok', 'put:ok', 'cas:ok', 'cas:fail']) expect(kinds).toContain(k);
    expect(checkLinearizable(r.history).ok).toBe(true);
    expect(r.network.dropped).toBeGreaterThan(0);
    expect(r.network.duplicated).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../src/linearizability.ts';
import { formatFailure, fuzzCombinations, fuzzPoint, rawNodeCore, runSeed } from '../src/run.ts';

describe('real RaftNodes under the whole fault mix', () => {
  it('every combination of options, once each, keeps every invariant and stays linearizable', async () => {
    const failures: string[] = [];
    let ops = 0;
    // The fuzz:ci run covers each combination several times with 300 operations; this test
    // covers each once with fewer, so a broken combination shows in the unit tests too.
    for (let seed = 20_000; seed < 20_000 + fuzzCombinations; seed++) {
      const r = await runSeed(seed, rawNodeCore, { ops: 30 });
      ops += r.history.length;
      if (!r.ok) failures.push(formatFailure(await runSeed(seed, rawNodeCore, { ops: 30, traceSteps: 40 }), `seed ${seed}`));
    }
    expect(failures).toEqual([]);
    expect(ops).toBeGreaterThanOrEqual(fuzzCombinations * 31);
  }, 900_000);

  it('consecutive seeds enumerate every combination of options', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < fuzzCombinations; seed++) seen.add(JSON.stringify(fuzzPoint(seed)));
    expect(seen.size).toBe(fuzzCombinations);
    expect(fuzzCombinations).toBeGreaterThanOrEqual(500);
  });

  it('a run produces a history the checker accepts, with every kind of operation and outcome', async () => {
    const r = await runSeed(11, rawNodeCore, { ops: 300 });
    expect(r.ok).toBe(true);
    const kinds = new Set(r.history.map((op) => `${op.input.op}:${op.type}`));
    for (const k of ['get:ok', 'put:ok', 'cas:ok', 'cas:fail']) expect(kinds).toContain(k);
    expect(checkLinearizable(r.history).ok).toBe(true);
    expect(r.network.dropped).toBeGreaterThan(0);
    expect(r.network.duplicated).toBeGreaterThan(0);
  });
});

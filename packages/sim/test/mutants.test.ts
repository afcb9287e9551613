import { mutants } from '@webraft/core/testing';
import { describe, expect, it } from 'vitest';
import { loadSim } from '../src/cli/cores.ts';

/**
 * For each deliberately broken core, the first seed of a 300-operation fuzz run that fails with
 * it compiled in, and the property that fails. Found by
 * `npm run fuzz -- --mutant <name> --seeds 2000 --from 0 --workers 1`; a change to the
 * simulator's fault schedule moves these seeds, and the same command finds them again. The real
 * core passes every one of these seeds (and the 2,000 of `npm run fuzz:ci`).
 */
const caughtAt: Record<string, { readonly seed: number; readonly property: string }> = {
  voteWithoutLogCheck: { seed: 0, property: 'Leader Completeness' },
  countStaleVotes: { seed: 4, property: 'Election Safety' },
  commitOldTermByCount: { seed: 4, property: 'Leader Commit Rule (§5.4.2)' },
  replyBeforePersist: { seed: 0, property: 'Commit Durability (§5.3)' },
  applyBeforeCommit: { seed: 0, property: 'Apply Committed Only' },
  noStepDownOnHigherTerm: { seed: 0, property: 'Election Safety' },
  leadBeforeOwnVoteDurable: { seed: 36, property: 'Election Safety' },
  appendForwardedTwice: { seed: 1, property: 'At Most Once' },
  countForgottenStores: { seed: 15, property: 'Election Safety' },
  dropWhenOverwrittenHere: { seed: 25, property: 'At Most Once' },
  votesRightAfterRestart: { seed: 19, property: 'Read Freshness' },
  spliceSnapshots: { seed: 194, property: 'Applied Never Rolled Back' },
  heartbeatCommitsForgottenLog: { seed: 1056, property: 'State Machine Safety' },
  sameSessionIdInBatch: { seed: 24, property: 'Linearizability' },
};

/** Every mutant must be caught within this many seeds. */
const BOUND = 2000;

describe('every mutant core is caught by the whole-stack simulator', { timeout: 120_000 }, () => {
  it('has a catching seed for every mutant the core offers, each below the bound', () => {
    expect(Object.keys(caughtAt).sort()).toEqual(mutants.map((m) => m.name).sort());
    for (const { seed } of Object.values(caughtAt)) expect(seed).toBeLessThan(BOUND);
  });

  it('the real core passes every catching seed', async () => {
    const sim = await loadSim(undefined);
    for (const { seed } of Object.values(caughtAt)) {
      const r = await sim.runSeed(seed, sim.rawNodeCore, { ops: 300 });
      expect(r.violation, `seed ${seed}`).toBeUndefined();
    }
  });

  for (const [name, { seed, property }] of Object.entries(caughtAt)) {
    it(`${name} fails seed ${seed} (${property})`, async () => {
      const sim = await loadSim(name);
      const r = await sim.runSeed(seed, sim.rawNodeCore, { ops: 300 });
      expect(r.violation?.property, `${name} passed seed ${seed}`).toBe(property);
    });
  }
});

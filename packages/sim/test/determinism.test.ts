import { describe, expect, it } from 'vitest';
import { realCore } from '../src/cli/cores.ts';
import { replay } from '../src/replay.ts';
import { fuzzWorld, runSeed } from '../src/run.ts';
import { Simulation, type SimOptions } from '../src/simulation.ts';

describe('determinism', () => {
  it('the same seed gives an identical trace, history and message counts', () => {
    const a = runSeed(7, realCore, { ops: 80, traceSteps: 1_000_000 });
    const b = runSeed(7, realCore, { ops: 80, traceSteps: 1_000_000 });
    expect(a.trace.length).toBeGreaterThan(100);
    expect(b.steps).toBe(a.steps);
    expect(b.virtualMs).toBe(a.virtualMs);
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
    expect(JSON.stringify(b.history)).toBe(JSON.stringify(a.history));
    expect(b.network).toEqual(a.network);
  });

  it('different seeds give different runs', () => {
    const a = runSeed(1, realCore, { ops: 40, traceSteps: 1_000_000 });
    const b = runSeed(5, realCore, { ops: 40, traceSteps: 1_000_000 });
    expect(JSON.stringify(b.trace)).not.toBe(JSON.stringify(a.trace));
  });

  it('a run driven by user actions is rebuilt exactly from (seed, options, actions)', () => {
    const options: SimOptions = { ...fuzzWorld(3, realCore), workload: { clients: 0, ops: 0 }, eventLogSize: 1000 };
    const sim = new Simulation(options);
    sim.runUntil(600);
    const leader = sim.leader();
    expect(leader).toBeDefined();
    sim.apply({ type: 'request', input: { op: 'put', key: 'x', value: '1' } });
    sim.runUntil(700);
    sim.apply({ type: 'crash', node: (leader as { id: string }).id });
    sim.apply({ type: 'partition', groups: [['n1', 'n2'], ['n3']] });
    sim.runUntil(1500);
    sim.apply({ type: 'heal' });
    sim.apply({ type: 'restart', node: (leader as { id: string }).id });
    sim.apply({ type: 'request', input: { op: 'get', key: 'x' }, read: 'readIndex' });
    sim.runUntil(2500);
    const steps = sim.steps;

    const again = replay(options, sim.actions, steps);
    expect(again.steps).toBe(steps);
    expect(again.nodes()).toEqual(sim.nodes());
    expect(again.history()).toEqual(sim.history());
    expect(again.log()).toEqual(sim.log());
    expect(sim.history().map((op) => [op.input.op, op.type, op.output])).toEqual([
      ['put', 'ok', null],
      ['get', 'ok', '1'],
    ]);
  });
});

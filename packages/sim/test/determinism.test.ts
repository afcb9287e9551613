import { describe, expect, it } from 'vitest';
import { replay } from '../src/replay.ts';
import { fuzzWorld, rawNodeCore, runSeed } from '../src/run.ts';
import { Simulation, type SimOptions } from '../src/simulation.ts';

describe('determinism (real RaftNodes, stepped by the simulation only)', () => {
  it('the same seed gives an identical trace, history and message counts', async () => {
    const a = await runSeed(7, rawNodeCore, { ops: 80, traceSteps: 1_000_000 });
    const b = await runSeed(7, rawNodeCore, { ops: 80, traceSteps: 1_000_000 });
    expect(a.trace.length).toBeGreaterThan(100);
    expect(b.steps).toBe(a.steps);
    expect(b.virtualMs).toBe(a.virtualMs);
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
    expect(JSON.stringify(b.history)).toBe(JSON.stringify(a.history));
    expect(b.network).toEqual(a.network);
  });

  it('different seeds give different runs', async () => {
    const a = await runSeed(1, rawNodeCore, { ops: 40, traceSteps: 1_000_000 });
    const b = await runSeed(5, rawNodeCore, { ops: 40, traceSteps: 1_000_000 });
    expect(JSON.stringify(b.trace)).not.toBe(JSON.stringify(a.trace));
  });

  it('a run driven by user actions is rebuilt exactly from (seed, options, actions)', async () => {
    const options: SimOptions = { ...fuzzWorld(4, rawNodeCore), workload: { clients: 0, ops: 0 }, eventLogSize: 1000 };
    const sim = new Simulation(options);
    await sim.ready();
    await sim.runUntil(600);
    const leader = sim.leader();
    expect(leader).toBeDefined();
    await sim.apply({ type: 'request', input: { op: 'put', key: 'x', value: '1' } });
    await sim.runUntil(700);
    await sim.apply({ type: 'crash', node: leader!.id });
    await sim.apply({ type: 'partition', groups: [['n1', 'n2'], ['n3']] });
    await sim.runUntil(1500);
    await sim.apply({ type: 'heal' });
    await sim.apply({ type: 'restart', node: leader!.id });
    await sim.apply({ type: 'request', input: { op: 'get', key: 'x' }, read: 'readIndex' });
    await sim.runUntil(2500);
    const steps = sim.steps;

    const again = await replay(options, sim.actions, steps);
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

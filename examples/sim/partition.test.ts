// The example of docs/testing.md, run as a test.
import { RawNode } from '@webraft/core';
import { Simulation, checkLinearizable } from '@webraft/sim';
import { expect, it } from 'vitest';

it('a put during a partition stays linearizable (docs/testing.md)', async () => {
  const sim = new Simulation({ seed: 7, nodes: 5, createCore: (o, r) => new RawNode(o, r) });
  await sim.ready();
  await sim.runUntil(1000);
  await sim.apply({ type: 'partition', groups: [['n1', 'n2'], ['n3', 'n4', 'n5']] });
  await sim.apply({ type: 'request', input: { op: 'put', key: 'x', value: '1' } });
  await sim.runUntil(5000);
  const history = sim.history();
  expect(history.length).toBeGreaterThan(0);
  expect(checkLinearizable(history).ok).toBe(true);
});

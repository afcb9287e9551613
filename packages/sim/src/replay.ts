/** Rebuilds a run from its seed, options and recorded actions, up to any step (record, replay, rewind). */
import type { RecordedAction } from './actions.ts';
import { Simulation, type SimOptions } from './simulation.ts';

/**
 * Returns a simulation in the state the original reached at step `untilStep` (by default
 * the step of the last action). The same options must be given, including `createCore`.
 */
export async function replay(options: SimOptions, actions: readonly RecordedAction[], untilStep?: number): Promise<Simulation> {
  const sim = new Simulation(options);
  await sim.ready();
  const target = untilStep ?? actions[actions.length - 1]?.step ?? 0;
  for (const { step, time, action } of actions) {
    if (step > target) break;
    await stepTo(sim, step);
    sim.now = Math.max(sim.now, time);
    await sim.apply(action);
  }
  await stepTo(sim, target);
  return sim;
}

async function stepTo(sim: Simulation, step: number): Promise<void> {
  while (sim.steps < step && (await sim.step()));
}

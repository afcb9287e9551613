/** Rebuilds a run from its seed, options and recorded actions, up to any step (record, replay, rewind). */
import type { RecordedAction } from './actions.ts';
import { Simulation, type SimOptions } from './simulation.ts';

/**
 * Returns a simulation in the state the original reached at step `untilStep` (by default
 * the step of the last action). The same options must be given, including `createCore`.
 */
export function replay(options: SimOptions, actions: readonly RecordedAction[], untilStep?: number): Simulation {
  const sim = new Simulation(options);
  const target = untilStep ?? actions[actions.length - 1]?.step ?? 0;
  for (const { step, time, action } of actions) {
    if (step > target) break;
    stepTo(sim, step);
    sim.now = Math.max(sim.now, time);
    sim.apply(action);
  }
  stepTo(sim, target);
  return sim;
}

function stepTo(sim: Simulation, step: number): void {
  while (sim.steps < step && sim.step());
}

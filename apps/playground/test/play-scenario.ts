import type { Action } from '../src/teach/model/actions.ts';
import { Session } from '../src/teach/model/session.ts';
import type { Frame } from '../src/teach/model/types.ts';
import type { Scenario } from '../src/teach/scenarios.ts';
import { simWorld } from '../src/teach/sim-world.ts';

/**
 * Plays a scenario the way the page does: each step's actions at the current time, then time
 * runs until its condition. `stops` are the times where the steps stopped, `frames` what was shown there.
 */
export async function play(scenario: Scenario, upTo = scenario.steps.length): Promise<{ session: Session; frames: Frame[]; stops: number[]; time: number }> {
  const session = await Session.open(simWorld, { seed: scenario.seed, nodes: scenario.nodes, classic: scenario.classic ?? false });
  const frames: Frame[] = [];
  const stops: number[] = [];
  let time = 0;
  for (const step of scenario.steps.slice(0, upTo)) {
    for (const a of step.act?.(await session.reach(time)) ?? []) await session.act({ ...a, t: time } as Action);
    const maxMs = step.maxMs ?? (step.until === undefined ? 0 : 5000);
    const deadline = time + maxMs;
    await session.extendTo(deadline);
    while (time < deadline && !(step.until?.(session.frameAt(time)) ?? false)) time += session.frameStep;
    frames.push(session.frameAt(time));
    stops.push(time);
  }
  return { session, frames, stops, time };
}

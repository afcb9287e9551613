import { describe, expect, it } from 'vitest';
import { Narration } from '../src/teach/model/narration.ts';
import { Session } from '../src/teach/model/session.ts';
import type { Frame } from '../src/teach/model/types.ts';
import { fakeWorld } from './fake-world.ts';

const session = () => Session.open(fakeWorld, { seed: 0, nodes: 3 });
const hasEntries = (n: number) => (f: Frame) => f.nodes[0]!.log.length >= n;

describe('narration on the timeline', () => {
  it('a step stops on the first frame where its condition holds, or at its time limit', async () => {
    const s = await session();
    await s.act({ t: 300, kind: 'request', node: 's1' });
    const n = new Narration([{ until: hasEntries(1), maxMs: 1000 }, { until: hasEntries(2), maxMs: 400 }, { maxMs: 50 }]);
    n.begin(0, 0);
    expect(await n.findStop(0, s)).toBe(300);
    n.begin(1, 300);
    expect(await n.findStop(1, s)).toBe(700);
    n.begin(2, 700);
    expect(await n.findStop(2, s)).toBe(750);
  });

  it('a stopping point beyond the simulated horizon is unknown until the run gets there', async () => {
    const actions = [{ t: 300, kind: 'request', node: 's1' }, { t: 800, kind: 'request', node: 's1' }] as const;
    const s = await Session.open(fakeWorld, { seed: 0, nodes: 3, actions: [...actions] });
    const n = new Narration([{ until: hasEntries(2), maxMs: 1000 }], [0]);
    await s.extendTo(500);
    expect(n.stopOf(0, s)).toBeUndefined();
    // Playing may go on up to the horizon: the stop lies beyond it.
    expect(n.haltAfter(400, s)).toBe(Infinity);
    expect(n.follow(500, s)).toBe(0);
    await s.extendTo(900);
    expect(n.stopOf(0, s)).toBe(800);
    expect(n.haltAfter(400, s)).toBe(800);
  });

  it('the step shown follows the display time, and playing halts on the shown step’s stopping point wherever it resumes', async () => {
    const s = await session();
    await s.act({ t: 300, kind: 'request', node: 's1' });
    await s.extendTo(1000);
    const n = new Narration([{ until: hasEntries(1), maxMs: 1000 }, { maxMs: 200 }], [0, 300]);
    expect([n.stepAt(0), n.stepAt(299), n.stepAt(300), n.stepAt(9999)]).toEqual([0, 0, 1, 1]);
    expect(n.haltAfter(0, s)).toBe(300);
    expect(n.haltAfter(150, s)).toBe(300);
    expect(n.haltAfter(420, s)).toBe(500);
    expect(n.haltAfter(500, s)).toBeUndefined();
  });

  it('changing the run forgets the steps that began after the change and recomputes stopping points', async () => {
    const s = await session();
    const n = new Narration([{ until: hasEntries(1), maxMs: 1000 }, { maxMs: 100 }, { maxMs: 100 }], [0, 1000, 1100]);
    expect(await n.findStop(0, s)).toBe(1000);
    await s.act({ t: 500, kind: 'request', node: 's1' });
    n.changedAt(500);
    expect(n.starts).toEqual([0]);
    expect(await n.findStop(0, s)).toBe(500);
  });
});

describe('the step shown where one step ends and the next begins', () => {
  it('stays on the step just played or just begun, and follows the time elsewhere', async () => {
    const s = await session();
    await s.extendTo(400);
    const n = new Narration([{ maxMs: 100 }, { maxMs: 100 }, { maxMs: 100 }], [0, 100, 200]);
    n.show(0);
    expect(n.follow(100, s)).toBe(0);
    expect(n.follow(101, s)).toBe(1);
    expect(n.follow(200, s)).toBe(1);
    expect(n.follow(0, s)).toBe(0);
    n.show(2);
    expect(n.follow(200, s)).toBe(2);
    expect(n.haltAfter(200, s)).toBe(300);
  });
});

import { describe, expect, it } from 'vitest';
import { Session } from '../src/teach/model/session.ts';
import type { WorldOptions } from '../src/teach/model/world.ts';
import { FakeWorld } from './fake-world.ts';

const worlds: FakeWorld[] = [];
const factory = async (o: WorldOptions) => {
  const w = new FakeWorld(o);
  worlds.push(w);
  return w;
};

describe('Session', () => {
  it('records frames only when the world changes and finds the one in effect at any time', async () => {
    const s = await Session.open(factory, { seed: 0, nodes: 3 });
    await s.extendTo(1000);
    expect(s.horizon).toBe(1000);
    expect(s.frameAt(250).messages.map((m) => m.sendTime)).toEqual([200]);
    expect(s.frameAt(250)).toBe(s.frameAt(299));
    expect(s.frameAt(300)).not.toBe(s.frameAt(299));
  });

  it('looks up only what is simulated: beyond the horizon it shows the latest frame', async () => {
    const s = await Session.open(factory, { seed: 0, nodes: 3 });
    await s.extendTo(250);
    expect(s.frameAt(5000)).toBe(s.frameAt(250));
    expect(s.eventsUntil(5000).map((e) => e.time)).toEqual([100, 200]);
    await s.extendTo(5000);
    expect(s.frameAt(5000)).not.toBe(s.frameAt(250));
  });

  it('extends to frame boundaries, whoever asks for how much, so the frames are the same', async () => {
    const a = await Session.open(factory, { seed: 2, nodes: 3, frameStep: 50, actions: [{ t: 777, kind: 'request', node: 's1' }] });
    const b = await Session.open(factory, { seed: 2, nodes: 3, frameStep: 50 });
    await a.extendTo(1000);
    for (const t of [33, 271, 420]) await b.extendTo(t);
    await b.act({ t: 777, kind: 'request', node: 's1' });
    await b.extendTo(1000);
    expect(b.horizon).toBe(1000);
    for (let t = 0; t <= 1000; t += 10) expect(b.frameAt(t).time, `at ${t}`).toBe(a.frameAt(t).time);
    // Every change was recorded on its own frame, up to the action and after it.
    expect(a.frameAt(260).time).toBe(200);
    expect(a.frameAt(790).time).toBe(777);
  });

  it('applies recorded actions at their times while extending', async () => {
    const s = await Session.open(factory, { seed: 0, nodes: 3, actions: [{ t: 420, kind: 'crash', node: 's2' }] });
    expect((await s.reach(419)).nodes[1]!.role).toBe('follower');
    expect((await s.reach(420)).nodes[1]!.role).toBe('down');
  });

  it('scrubbing back is a lookup: the past does not change and nothing is replayed', async () => {
    worlds.length = 0;
    const s = await Session.open(factory, { seed: 1, nodes: 3 });
    await s.act({ t: 0, kind: 'request', node: 's1' });
    await s.extendTo(2000);
    const before = s.frameAt(500);
    expect(s.frameAt(1900).nodes[0]!.log).toHaveLength(1);
    expect(s.frameAt(500)).toBe(before);
    expect(worlds).toHaveLength(1);
  });

  it('an action in the past drops the later actions and replays from the seed', async () => {
    worlds.length = 0;
    const s = await Session.open(factory, { seed: 1, nodes: 3 });
    await s.act({ t: 0, kind: 'request', node: 's1' });
    await s.extendTo(1000);
    await s.act({ t: 1000, kind: 'request', node: 's1' });
    await s.extendTo(3000);
    await s.act({ t: 600, kind: 'crash', node: 's3' });
    expect(s.actions.map((a) => `${a.t}.${a.kind}`)).toEqual(['0.request', '600.crash']);
    expect(worlds).toHaveLength(2);
    expect(worlds[1]!.applied.map((a) => a.t)).toEqual([0, 600]);
    await s.extendTo(3000);
    expect(s.frameAt(3000).nodes[0]!.log).toHaveLength(1);
    expect(s.frameAt(3000).nodes[2]!.role).toBe('down');
  });

  it('while a change of the past is replayed, the recorded run stays in view and says how far the replay got', async () => {
    const s = await Session.open(factory, { seed: 1, nodes: 3 });
    await s.extendTo(3000);
    const shown = s.frameAt(2000);
    const acting = s.act({ t: 2000, kind: 'crash', node: 's2' });
    // The replay runs as its own job: until it is done, lookups answer from the recorded run.
    await Promise.resolve();
    expect(s.frameAt(2000)).toBe(shown);
    expect(s.horizon).toBe(3000);
    await acting;
    expect(s.replaying).toBeUndefined();
    expect(s.horizon).toBe(2000);
    expect(s.frameAt(2000).nodes[1]!.role).toBe('down');
  });

  it('replaying the same seed and actions gives the same frames', async () => {
    const actions = [
      { t: 150, kind: 'request', node: 's1' },
      { t: 333, kind: 'drop', msg: 3 },
    ] as const;
    const a = await Session.open(factory, { seed: 4, nodes: 5, actions: [...actions] });
    const b = await Session.open(factory, { seed: 4, nodes: 5, actions: [...actions] });
    for (const t of [0, 149, 150, 333, 334, 900]) expect(await a.reach(t)).toEqual(await b.reach(t));
    expect(a.frameAt(334).messages.map((m) => m.id)).not.toContain(3);
  });

  it('steps from change to change, forward and back', async () => {
    const s = await Session.open(factory, { seed: 0, nodes: 3 });
    expect(await s.nextChange(0)).toBe(100);
    expect(await s.nextChange(100)).toBe(200);
    expect(s.previousChange(250)).toBe(200);
    expect(s.previousChange(200)).toBe(100);
    expect(s.previousChange(0)).toBe(0);
  });

  it('keeps the event log in time order and cuts it at the display time', async () => {
    const s = await Session.open(factory, { seed: 0, nodes: 3, actions: [{ t: 250, kind: 'request', node: 's1' }] });
    await s.extendTo(1000);
    const events = s.eventsUntil(260);
    expect(events.map((e) => e.time)).toEqual([100, 200, 250]);
    expect(events[2]!.kind).toBe('user');
  });
});

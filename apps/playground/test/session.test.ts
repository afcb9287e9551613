import { describe, expect, it } from 'vitest';
import { Session } from '../src/teach/model/session.ts';
import { FakeWorld } from './fake-world.ts';

const worlds: FakeWorld[] = [];
const factory = (o: { seed: number; nodes: number }) => {
  const w = new FakeWorld(o);
  worlds.push(w);
  return w;
};

describe('Session', () => {
  it('records frames only when the world changes and finds the one in effect at any time', () => {
    const s = new Session(factory, { seed: 0, nodes: 3 });
    s.extendTo(1000);
    expect(s.horizon).toBe(1000);
    expect(s.frameAt(250).messages.map((m) => m.sendTime)).toEqual([200]);
    expect(s.frameAt(250)).toBe(s.frameAt(299));
    expect(s.frameAt(300)).not.toBe(s.frameAt(299));
  });

  it('applies recorded actions at their times while extending', () => {
    const s = new Session(factory, { seed: 0, nodes: 3, actions: [{ t: 420, kind: 'crash', node: 's2' }] });
    expect(s.frameAt(419).nodes[1]!.role).toBe('follower');
    expect(s.frameAt(420).nodes[1]!.role).toBe('down');
  });

  it('scrubbing back is a lookup: the past does not change and nothing is replayed', () => {
    worlds.length = 0;
    const s = new Session(factory, { seed: 1, nodes: 3 });
    s.act({ t: 0, kind: 'request', node: 's1' });
    s.extendTo(2000);
    const before = s.frameAt(500);
    expect(s.frameAt(1900).nodes[0]!.log).toHaveLength(1);
    expect(s.frameAt(500)).toBe(before);
    expect(worlds).toHaveLength(1);
  });

  it('an action in the past drops the later actions and replays from the seed', () => {
    worlds.length = 0;
    const s = new Session(factory, { seed: 1, nodes: 3 });
    s.act({ t: 0, kind: 'request', node: 's1' });
    s.extendTo(1000);
    s.act({ t: 1000, kind: 'request', node: 's1' });
    s.extendTo(3000);
    s.act({ t: 600, kind: 'crash', node: 's3' });
    expect(s.actions.map((a) => `${a.t}.${a.kind}`)).toEqual(['0.request', '600.crash']);
    expect(worlds).toHaveLength(2);
    expect(worlds[1]!.applied.map((a) => a.t)).toEqual([0, 600]);
    s.extendTo(3000);
    expect(s.frameAt(3000).nodes[0]!.log).toHaveLength(1);
    expect(s.frameAt(3000).nodes[2]!.role).toBe('down');
  });

  it('replaying the same seed and actions gives the same frames', () => {
    const actions = [
      { t: 150, kind: 'request', node: 's1' },
      { t: 333, kind: 'drop', msg: 3 },
    ] as const;
    const a = new Session(factory, { seed: 4, nodes: 5, actions: [...actions] });
    const b = new Session(factory, { seed: 4, nodes: 5, actions: [...actions] });
    for (const t of [0, 149, 150, 333, 334, 900]) expect(a.frameAt(t)).toEqual(b.frameAt(t));
    expect(a.frameAt(334).messages.map((m) => m.id)).not.toContain(3);
  });

  it('steps from change to change, forward and back', () => {
    const s = new Session(factory, { seed: 0, nodes: 3 });
    expect(s.nextChange(0)).toBe(100);
    expect(s.nextChange(100)).toBe(200);
    expect(s.previousChange(250)).toBe(200);
    expect(s.previousChange(200)).toBe(100);
    expect(s.previousChange(0)).toBe(0);
  });

  it('keeps the event log in time order and cuts it at the display time', () => {
    const s = new Session(factory, { seed: 0, nodes: 3, actions: [{ t: 250, kind: 'request', node: 's1' }] });
    s.extendTo(1000);
    const events = s.eventsUntil(260);
    expect(events.map((e) => e.time)).toEqual([100, 200, 250]);
    expect(events[2]!.kind).toBe('user');
  });
});

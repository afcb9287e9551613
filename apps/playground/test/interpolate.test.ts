import { describe, expect, it } from 'vitest';
import { arcPath, messagePoint, messageProgress, messagesInFlight, ringLayout, timerLeft } from '../src/teach/model/interpolate.ts';
import type { Frame, MessageView, NodeView } from '../src/teach/model/types.ts';

const message = (sendTime: number, recvTime: number, id = 1): MessageView => ({
  id, from: 's1', to: 's2', type: 'app', summary: '', why: '', sendTime, recvTime, response: false,
});

describe('interpolation between send and receive times', () => {
  it('a message moves linearly from sender to receiver', () => {
    const m = message(100, 200);
    expect(messageProgress(m, 50)).toBe(0);
    expect(messageProgress(m, 100)).toBe(0);
    expect(messageProgress(m, 125)).toBe(0.25);
    expect(messageProgress(m, 200)).toBe(1);
    expect(messageProgress(m, 999)).toBe(1);
  });

  it('only messages sent and not yet received are in flight', () => {
    const frame: Frame = { time: 0, nodes: [], cuts: [], messages: [message(0, 10, 1), message(5, 50, 2), message(30, 60, 3)] };
    expect(messagesInFlight(frame, 10).map((m) => m.id)).toEqual([2]);
    expect(messagesInFlight(frame, 30).map((m) => m.id)).toEqual([2, 3]);
  });

  it('the election timer arc shrinks from full to empty', () => {
    const node = { timer: { start: 1000, end: 1300 } } as NodeView;
    expect(timerLeft(node, 1000)).toBe(1);
    expect(timerLeft(node, 1150)).toBeCloseTo(0.5);
    expect(timerLeft(node, 1400)).toBe(0);
    expect(timerLeft({} as NodeView, 1000)).toBeUndefined();
  });

  it('places nodes on a ring, first at the top, and messages between node edges', () => {
    const ring = ringLayout(['a', 'b', 'c', 'd'], { x: 0, y: 0 }, 100);
    expect(ring.get('a')!.x).toBeCloseTo(0);
    expect(ring.get('a')!.y).toBeCloseTo(-100);
    expect(ring.get('b')!.x).toBeCloseTo(100);
    const p0 = messagePoint({ x: 0, y: 0 }, { x: 100, y: 0 }, 0, 10);
    const p1 = messagePoint({ x: 0, y: 0 }, { x: 100, y: 0 }, 1, 10);
    expect([p0.x, p1.x]).toEqual([10, 90]);
  });

  it('draws no arc for an empty timer and a closed one for a full timer', () => {
    expect(arcPath({ x: 0, y: 0 }, 10, 0)).toBe('');
    expect(arcPath({ x: 0, y: 0 }, 10, 1)).toContain(' 1 1 ');
    expect(arcPath({ x: 0, y: 0 }, 10, 0.25)).toMatch(/A 10 10 0 0 1 10\.00 0\.00$/);
  });
});

describe('colours', () => {
  it('text on every server colour and every term colour reads at WCAG AA contrast (4.5:1)', async () => {
    const { contrastRatio, ink, roleColor, termColor } = await import('../src/teach/view/colors.ts');
    for (const [role, fill] of Object.entries(roleColor)) expect(contrastRatio(ink, fill), role).toBeGreaterThanOrEqual(4.5);
    for (let term = 0; term < 40; term++) expect(contrastRatio(ink, termColor(term)), `term ${term}`).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#ffffff', '#2f9e55')).toBeLessThan(4.5);
  });
});

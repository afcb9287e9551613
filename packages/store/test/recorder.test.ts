import { describe, expect, it } from 'vitest';
import { CommandRecorder, decodeImage } from '../src/tab/recorder.ts';

function recorder() {
  const applied: [number, unknown][] = [];
  const machine = new CommandRecorder({
    applied: (seq, command) => applied.push([seq, command]),
    restored: () => undefined,
    snapshot: async () => new TextEncoder().encode('"state"'),
  });
  return { machine, applied };
}

describe('CommandRecorder', () => {
  it('applies a retried dispatch once and answers the retry with the first seq', () => {
    const { machine, applied } = recorder();
    expect(machine.apply({ t: 'a', n: 1, f: 0, c: 'x' })).toBe(1);
    expect(machine.apply({ t: 'b', n: 1, f: 0, c: 'y' })).toBe(2);
    expect(machine.apply({ t: 'a', n: 1, f: 0, c: 'x' })).toBe(1);
    expect(applied).toEqual([[1, 'x'], [2, 'y']]);
  });

  it('forgets numbers below the floor, and a late retry of one is not applied', () => {
    const { machine, applied } = recorder();
    machine.apply({ t: 'a', n: 1, f: 0, c: 'x' });
    machine.apply({ t: 'a', n: 2, f: 1, c: 'y' });
    expect(machine.apply({ t: 'a', n: 1, f: 0, c: 'x' })).toBe(0);
    expect(applied).toHaveLength(2);
  });

  it('keeps the dispatch table in its snapshot', async () => {
    const { machine } = recorder();
    machine.apply({ t: 'a', n: 1, f: 0, c: 'x' });
    const image = await machine.snapshot();
    expect(decodeImage(image)).toMatchObject({ seq: 1, tabs: [['a', 0, 1, [[1, 1]]]] });
    const { machine: other, applied } = recorder();
    other.restore(image);
    expect(other.apply({ t: 'a', n: 1, f: 0, c: 'x' })).toBe(1);
    expect(applied).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { isFaultState, noFaults, verdict, type FaultState } from '../src/faults.ts';

const state = (change: Partial<FaultState>): FaultState => ({ ...noFaults, version: 1, ...change });
const never = () => 0.99;

describe('verdict', () => {
  it('delivers within one tab whatever the faults', () => {
    expect(verdict(state({ groups: [['a']], dropRate: 1, delayMs: [100, 200] }), 'a', 'a', () => 0)).toEqual({ deliver: true, delayMs: 0 });
  });

  it('lets a message cross only between tabs of one side; the tabs in no group are one more side', () => {
    const s = state({ groups: [['a'], ['b', 'c']] });
    expect(verdict(s, 'b', 'c', never).deliver).toBe(true);
    expect(verdict(s, 'a', 'b', never)).toEqual({ deliver: false, why: 'partition' });
    expect(verdict(s, 'd', 'e', never).deliver).toBe(true);
    expect(verdict(s, 'd', 'a', never).deliver).toBe(false);
    expect(verdict(s, 'd', 'b', never).deliver).toBe(false);
  });

  it('drops a message from an unknown sender under a partition, and delivers it without one', () => {
    expect(verdict(state({ groups: [['a']] }), undefined, 'b', never).deliver).toBe(false);
    expect(verdict(state({}), undefined, 'b', never).deliver).toBe(true);
  });

  it('cuts one way only', () => {
    const s = state({ cuts: [['a', 'b']] });
    expect(verdict(s, 'a', 'b', never)).toEqual({ deliver: false, why: 'cut' });
    expect(verdict(s, 'b', 'a', never).deliver).toBe(true);
  });

  it('loses the share of messages the drop rate says', () => {
    const s = state({ dropRate: 0.3 });
    expect(verdict(s, 'a', 'b', () => 0.29)).toEqual({ deliver: false, why: 'loss' });
    expect(verdict(s, 'a', 'b', () => 0.3).deliver).toBe(true);
  });

  it('delays within [min, max]', () => {
    const s = state({ delayMs: [100, 300] });
    expect(verdict(s, 'a', 'b', () => 0)).toEqual({ deliver: true, delayMs: 100 });
    expect(verdict(s, 'a', 'b', () => 0.5)).toEqual({ deliver: true, delayMs: 200 });
  });
});

describe('isFaultState', () => {
  it('accepts a state and refuses malformed ones', () => {
    expect(isFaultState(state({ groups: [['a']], cuts: [['a', 'b']], nodes: { n1: 'a' } }))).toBe(true);
    for (const bad of [null, 1, {}, { ...noFaults, version: '1' }, { ...noFaults, groups: [[1]] }, { ...noFaults, cuts: [['a']] }, { ...noFaults, dropRate: 2 }, { ...noFaults, delayMs: [-1, 0] }, { ...noFaults, nodes: { n: 1 } }]) {
      expect(isFaultState(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { historyFromJson, historyToJson, HistoryFormatError, type HistoryOp, type KvInput } from '../src/history.ts';
import { checkLinearizable } from '../src/linearizability.ts';

function op(client: string, input: KvInput, output: HistoryOp['output'], call: number, ret: number, type: HistoryOp['type'] = 'ok'): HistoryOp {
  return { client, input, output, call, return: ret, type };
}
const put = (key: string, value: string): KvInput => ({ op: 'put', key, value });
const get = (key: string): KvInput => ({ op: 'get', key });
const cas = (key: string, expected: string | null, value: string): KvInput => ({ op: 'cas', key, expected, value });

describe('linearizability checker: violations', () => {
  it('a stale read: a get that starts after a put returned sees the old value', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('a', put('x', '2'), null, 20, 30), op('b', get('x'), '1', 40, 50)];
    const result = checkLinearizable(h);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.key).toBe('x');
      expect(result.undecided).toBe(false);
    }
  });

  it('a lost acknowledged write: a later read sees the value from before it', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 11, 20), op('c', get('x'), '1', 30, 40)];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('a lost acknowledged write: a read of an absent key after a put', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('c', get('x'), null, 30, 40)];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('two cas from one value both succeeding', () => {
    const h = [
      op('a', put('x', '0'), null, 0, 5),
      op('a', cas('x', '0', '1'), true, 10, 30),
      op('b', cas('x', '0', '2'), true, 12, 28),
    ];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('reads going backwards', () => {
    const h = [
      op('a', put('x', '1'), null, 0, 100),
      op('b', get('x'), '1', 10, 20),
      op('c', get('x'), null, 30, 40),
    ];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('a failed write becoming visible', () => {
    const h = [op('a', put('x', '1'), null, 0, 10, 'fail'), op('b', get('x'), '1', 20, 30)];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('a cas reported done that did not match the value before it', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '0', '2'), true, 20, 30)];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('a read of a value nobody wrote', () => {
    expect(checkLinearizable([op('a', get('x'), 'ghost', 0, 10)]).ok).toBe(false);
  });

  it('finds the bad key among good ones', () => {
    const h = [
      op('a', put('y', '1'), null, 0, 10),
      op('b', get('y'), '1', 20, 30),
      op('a', put('x', '1'), null, 0, 10),
      op('b', get('x'), null, 20, 30),
    ];
    const result = checkLinearizable(h);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.key).toBe('x');
  });
});

describe('linearizability checker: linearizable histories', () => {
  it('the empty history', () => {
    expect(checkLinearizable([]).ok).toBe(true);
  });

  it('a read concurrent with a put may see either value', () => {
    const old = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 20, 40), op('c', get('x'), '1', 25, 35)];
    const fresh = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 20, 40), op('c', get('x'), '2', 25, 35)];
    expect(checkLinearizable(old).ok).toBe(true);
    expect(checkLinearizable(fresh).ok).toBe(true);
  });

  it('overlapping reads may see the new value then the old one only if both overlap the write', () => {
    const h = [
      op('a', put('x', '1'), null, 0, 5),
      op('b', put('x', '2'), null, 10, 100),
      op('c', get('x'), '2', 20, 30),
      op('d', get('x'), '2', 40, 50),
      op('e', get('x'), '1', 15, 25),
    ];
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('two concurrent cas from one value: one wins, the other fails', () => {
    const h = [
      op('a', put('x', '0'), null, 0, 5),
      op('a', cas('x', '0', '1'), true, 10, 30),
      op('b', cas('x', '0', '2'), false, 12, 28, 'fail'),
      op('c', get('x'), '1', 40, 50),
    ];
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('a chain of concurrent cas ordered by their values', () => {
    const h = [
      op('a', cas('x', null, '1'), true, 0, 100),
      op('b', cas('x', '1', '2'), true, 1, 99),
      op('c', cas('x', '2', '3'), true, 2, 98),
      op('d', get('x'), '3', 101, 110),
    ];
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('an unknown write may take effect late, or never', () => {
    const late = [op('a', put('x', '1'), null, 0, 10, 'info'), op('b', get('x'), null, 20, 30), op('c', get('x'), '1', 40, 50)];
    const never = [op('a', put('x', '1'), null, 0, 10, 'info'), op('b', get('x'), null, 20, 30)];
    expect(checkLinearizable(late).ok).toBe(true);
    expect(checkLinearizable(never).ok).toBe(true);
  });

  it('an unknown write cannot take effect before it was called', () => {
    const h = [op('b', get('x'), '1', 0, 10), op('a', put('x', '1'), null, 20, 30, 'info')];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('an unknown cas whose expectation did not hold has no effect', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '0', '2'), null, 20, 30, 'info'), op('c', get('x'), '1', 40, 50)];
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('an unknown write seen only through an unknown cas still counts', () => {
    const h = [
      op('a', put('x', '1'), null, 0, 10),
      op('b', put('x', '2'), null, 20, 25, 'info'),
      op('c', cas('x', '2', '3'), null, 30, 35, 'info'),
      op('d', get('x'), '3', 40, 50),
    ];
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('a long outage full of unknown writes stays fast', () => {
    const h: HistoryOp[] = [op('a', put('x', 'start'), null, 0, 1)];
    for (let i = 0; i < 400; i++) h.push(op(`c${i % 6}`, put('x', `lost${i}`), null, 10 + i, 5000 + i, 'info'));
    h.push(op('r', get('x'), 'lost7', 6000, 6001));
    h.push(op('r', get('x'), 'lost7', 6002, 6003));
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('many concurrent clients stay fast', () => {
    const h: HistoryOp[] = [];
    let t = 0;
    for (let round = 0; round < 200; round++) {
      for (let c = 0; c < 5; c++) h.push(op(`c${c}`, put('x', `${round}.${c}`), null, t + c, t + 10 + c));
      h.push(op('r', get('x'), `${round}.2`, t + 1, t + 12));
      t += 20;
    }
    expect(checkLinearizable(h).ok).toBe(true);
  });
});

describe('history JSON', () => {
  it('round-trips', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '1', '2'), true, 20, 30), op('c', get('x'), null, 5, 6, 'info')];
    expect(historyFromJson(historyToJson(h))).toEqual(h);
  });

  it('rejects malformed input with a typed error naming the field', () => {
    expect(() => historyFromJson('{')).toThrow(HistoryFormatError);
    expect(() => historyFromJson('{}')).toThrow(/array/);
    expect(() => historyFromJson('[{"client":"a","input":{"op":"del","key":"x"},"call":0,"return":1,"type":"ok"}]')).toThrow(/unknown op/);
    expect(() => historyFromJson('[{"client":"a","input":{"op":"put","key":"x","value":"1"},"call":5,"return":1,"type":"ok"}]')).toThrow(/return precedes call/);
  });
});

import { describe, expect, it } from 'vitest';
import { historyFromJson, historyToJson, HistoryFormatError, type HistoryOp, type KvInput } from '../src/history.ts';
import { generateHistory, mutateHistory } from '../src/history-gen.ts';
import { checkLinearizable, CheckOptionsError, type CheckOptions } from '../src/linearizability.ts';
import { Random } from '../src/random.ts';
import { bruteForceLinearizable, perturbedGenerated, randomTinyHistory } from './linearizability-oracle.ts';

function op(client: string, input: KvInput, output: HistoryOp['output'], call: number, ret: number, type: HistoryOp['type'] = 'ok'): HistoryOp {
  return { client, input, output, call, return: ret, type };
}
const put = (key: string, value: string): KvInput => ({ op: 'put', key, value });
const get = (key: string): KvInput => ({ op: 'get', key });
const cas = (key: string, expected: string | null, value: string): KvInput => ({ op: 'cas', key, expected, value });
const verdict = (history: readonly HistoryOp[], options?: CheckOptions) => checkLinearizable(history, options).verdict;

describe('linearizability checker: violations', () => {
  it('a stale read: a get that starts after a put returned sees the old value', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('a', put('x', '2'), null, 20, 30), op('b', get('x'), '1', 40, 50)];
    const result = checkLinearizable(h);
    expect(result).toMatchObject({ ok: false, verdict: 'violated', undecided: false, key: 'x' });
    if (!result.ok) expect(result.stuck).toBe(h[2]);
  });

  it('a lost acknowledged write: a later read sees the value from before it', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 11, 20), op('c', get('x'), '1', 30, 40)];
    expect(verdict(h)).toBe('violated');
  });

  it('a lost acknowledged write: a read of an absent key after a put', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('c', get('x'), null, 30, 40)];
    expect(verdict(h)).toBe('violated');
  });

  it('two cas from one value both succeeding', () => {
    const h = [
      op('a', put('x', '0'), null, 0, 5),
      op('a', cas('x', '0', '1'), true, 10, 30),
      op('b', cas('x', '0', '2'), true, 12, 28),
    ];
    expect(verdict(h)).toBe('violated');
  });

  it('reads going backwards', () => {
    const h = [
      op('a', put('x', '1'), null, 0, 100),
      op('b', get('x'), '1', 10, 20),
      op('c', get('x'), null, 30, 40),
    ];
    expect(verdict(h)).toBe('violated');
  });

  it('a failed write becoming visible', () => {
    const h = [op('a', put('x', '1'), null, 0, 10, 'fail'), op('b', get('x'), '1', 20, 30)];
    expect(verdict(h)).toBe('violated');
  });

  it('a cas reported done that did not match the value before it', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '0', '2'), true, 20, 30)];
    expect(verdict(h)).toBe('violated');
  });

  it('a read of a value nobody wrote', () => {
    expect(verdict([op('a', get('x'), 'ghost', 0, 10)])).toBe('violated');
  });

  it('finds the bad key among good ones', () => {
    const h = [
      op('a', put('y', '1'), null, 0, 10),
      op('b', get('y'), '1', 20, 30),
      op('a', put('x', '1'), null, 0, 10),
      op('b', get('x'), null, 20, 30),
    ];
    expect(checkLinearizable(h)).toMatchObject({ verdict: 'violated', key: 'x' });
  });
});

describe('linearizability checker: linearizable histories', () => {
  it('the empty history', () => {
    expect(verdict([])).toBe('linearizable');
  });

  it('a read concurrent with a put may see either value', () => {
    const old = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 20, 40), op('c', get('x'), '1', 25, 35)];
    const fresh = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 20, 40), op('c', get('x'), '2', 25, 35)];
    expect(verdict(old)).toBe('linearizable');
    expect(verdict(fresh)).toBe('linearizable');
  });

  it('overlapping reads may see the new value then the old one only if both overlap the write', () => {
    const h = [
      op('a', put('x', '1'), null, 0, 5),
      op('b', put('x', '2'), null, 10, 100),
      op('c', get('x'), '2', 20, 30),
      op('d', get('x'), '2', 40, 50),
      op('e', get('x'), '1', 15, 25),
    ];
    expect(verdict(h)).toBe('linearizable');
  });

  it('two concurrent cas from one value: one wins, the other fails', () => {
    const h = [
      op('a', put('x', '0'), null, 0, 5),
      op('a', cas('x', '0', '1'), true, 10, 30),
      op('b', cas('x', '0', '2'), false, 12, 28, 'fail'),
      op('c', get('x'), '1', 40, 50),
    ];
    expect(verdict(h)).toBe('linearizable');
  });

  it('a chain of concurrent cas ordered by their values', () => {
    const h = [
      op('a', cas('x', null, '1'), true, 0, 100),
      op('b', cas('x', '1', '2'), true, 1, 99),
      op('c', cas('x', '2', '3'), true, 2, 98),
      op('d', get('x'), '3', 101, 110),
    ];
    expect(verdict(h)).toBe('linearizable');
  });

  it('an unknown write may take effect late, or never', () => {
    const late = [op('a', put('x', '1'), null, 0, 10, 'info'), op('b', get('x'), null, 20, 30), op('c', get('x'), '1', 40, 50)];
    const never = [op('a', put('x', '1'), null, 0, 10, 'info'), op('b', get('x'), null, 20, 30)];
    expect(verdict(late)).toBe('linearizable');
    expect(verdict(never)).toBe('linearizable');
  });

  it('an unknown write cannot take effect before it was called', () => {
    const h = [op('b', get('x'), '1', 0, 10), op('a', put('x', '1'), null, 20, 30, 'info')];
    expect(verdict(h)).toBe('violated');
  });

  it('an unknown cas whose expectation did not hold has no effect', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '0', '2'), null, 20, 30, 'info'), op('c', get('x'), '1', 40, 50)];
    expect(verdict(h)).toBe('linearizable');
  });

  it('an unknown write seen only through an unknown cas still counts', () => {
    const h = [
      op('a', put('x', '1'), null, 0, 10),
      op('b', put('x', '2'), null, 20, 25, 'info'),
      op('c', cas('x', '2', '3'), null, 30, 35, 'info'),
      op('d', get('x'), '3', 40, 50),
    ];
    expect(verdict(h)).toBe('linearizable');
  });

  it('unknown writes still open far behind the search keep their configurations apart', () => {
    // Trying 'a' then 'b' first leaves no 'a' for the last read; trying 'b' alone must still be searched.
    const h = [op('u', put('x', 'a'), null, 0, 1, 'info'), op('v', put('x', 'b'), null, 0, 1, 'info'), op('r', get('x'), 'b', 5, 6)];
    for (let i = 0; i < 40; i++) h.push(op('w', put('x', `p${i}`), null, 10 + 20 * i, 15 + 20 * i), op('r', get('x'), `p${i}`, 16 + 20 * i, 19 + 20 * i));
    h.push(op('w', put('x', 'z'), null, 1000, 1010), op('r', get('x'), 'a', 1020, 1030));
    expect(verdict(h)).toBe('linearizable');
  });

  it('a long outage full of unknown writes stays fast', () => {
    const h: HistoryOp[] = [op('a', put('x', 'start'), null, 0, 1)];
    for (let i = 0; i < 400; i++) h.push(op(`c${i % 6}`, put('x', `lost${i}`), null, 10 + i, 5000 + i, 'info'));
    h.push(op('r', get('x'), 'lost7', 6000, 6001));
    h.push(op('r', get('x'), 'lost7', 6002, 6003));
    expect(verdict(h)).toBe('linearizable');
  });

  it('many concurrent clients stay fast', () => {
    const h: HistoryOp[] = [];
    let t = 0;
    for (let round = 0; round < 200; round++) {
      for (let c = 0; c < 5; c++) h.push(op(`c${c}`, put('x', `${round}.${c}`), null, t + c, t + 10 + c));
      h.push(op('r', get('x'), `${round}.2`, t + 1, t + 12));
      t += 20;
    }
    expect(verdict(h)).toBe('linearizable');
  });
});

/** Eight concurrent writes, each seen by a concurrent read: easy to decide, but not in 3 placements. */
function busyKey(key: string): HistoryOp[] {
  return Array.from({ length: 8 }, (_, i) => [
    op(`w${i}`, put(key, `v${i}`), null, i, 100 + i),
    op(`r${i}`, get(key), `v${i}`, i, 100 + i),
  ]).flat();
}

describe('three answers: linearizable, violated, undecided', () => {
  it('a search that runs out of budget is undecided, with the reason, not a violation', () => {
    const result = checkLinearizable(busyKey('x'), { maxSteps: 3 });
    expect(result).toMatchObject({ ok: false, verdict: 'undecided', undecided: true, key: 'x', steps: 3 });
    if (result.verdict === 'undecided') expect(result.reason).toMatch(/budget of 3 placements exhausted on key x/);
    expect(checkLinearizable(busyKey('x'))).toMatchObject({ ok: true, verdict: 'linearizable', keys: 1, ops: 16 });
  });

  it('a violation on one key outranks an undecided one, whichever comes first', () => {
    const bad = [op('a', put('y', '1'), null, 0, 10), op('b', get('y'), null, 20, 30)];
    expect(checkLinearizable([...busyKey('a'), ...bad], { maxSteps: 3 })).toMatchObject({ verdict: 'violated', key: 'y' });
    expect(checkLinearizable([...busyKey('z'), ...bad], { maxSteps: 3 })).toMatchObject({ verdict: 'violated', key: 'y' });
  });

  it('refuses a budget that is not a positive integer', () => {
    expect(() => checkLinearizable([], { maxSteps: 0 })).toThrow(CheckOptionsError);
    expect(() => checkLinearizable([], { maxSteps: 1.5 })).toThrow(/maxSteps must be a positive integer/);
  });
});

describe('operations whose times touch are concurrent', () => {
  it('a read called at the instant a write returns may see the value before it', () => {
    const touching = [op('a', put('x', '1'), null, 0, 10), op('b', get('x'), null, 10, 20)];
    const after = [op('a', put('x', '1'), null, 0, 10), op('b', get('x'), null, 11, 20)];
    expect(verdict(touching)).toBe('linearizable');
    expect(verdict(after)).toBe('violated');
  });

  it('a write called at the instant another returns may come first', () => {
    const touching = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 10, 20), op('c', get('x'), '1', 30, 40)];
    const after = [op('a', put('x', '1'), null, 0, 10), op('b', put('x', '2'), null, 11, 20), op('c', get('x'), '1', 30, 40)];
    expect(verdict(touching)).toBe('linearizable');
    expect(verdict(after)).toBe('violated');
  });

  it('instantaneous operations at one instant go in either order', () => {
    for (const seen of [null, '1']) expect(verdict([op('a', put('x', '1'), null, 5, 5), op('b', get('x'), seen, 5, 5)])).toBe('linearizable');
  });
});

describe('a cas that did not apply carries the value it found', () => {
  const miss = (value: string | null) => ({ applied: false as const, value });

  it('it must be placed where the key held that value', () => {
    const found = (value: string | null, call: number) => [
      op('a', put('x', '1'), null, 0, 10),
      op('b', cas('x', '0', '2'), miss(value), call, call + 10, 'fail'),
    ];
    expect(verdict(found('1', 20))).toBe('linearizable');
    expect(verdict(found('0', 20))).toBe('violated');
    expect(verdict(found(null, 20))).toBe('violated');
    // Overlapping the put, it may have come before it.
    expect(verdict(found(null, 5))).toBe('linearizable');
  });

  it('the older record (`false`) says nothing about the state, and stays accepted', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '0', '2'), false, 20, 30, 'fail')];
    expect(verdict(h)).toBe('linearizable');
  });

  it('it orders itself against later writes', () => {
    const h = (call: number) => [
      op('a', put('x', 'a'), null, 0, 10),
      op('b', put('x', 'b'), null, 20, 30),
      op('c', cas('x', 'z', 'y'), miss('a'), call, 40, 'fail'),
      op('d', get('x'), 'b', 50, 60),
    ];
    expect(verdict(h(25))).toBe('linearizable');
    expect(verdict(h(31))).toBe('violated');
  });

  it('finding the value it expected while not applying is impossible', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '1', '2'), miss('1'), 20, 30, 'fail')];
    expect(verdict(h)).toBe('violated');
  });

  it('an ok record of the same shape means the same', () => {
    const h = [op('a', put('x', '1'), null, 0, 10), op('b', cas('x', '0', '2'), miss('0'), 20, 30, 'ok')];
    expect(verdict(h)).toBe('violated');
  });
});

describe('checker against a brute-force reference on tiny histories', () => {
  it('agrees on random histories (touching times, repeated values, every kind of record)', () => {
    const random = new Random(7);
    const counts = { linearizable: 0, violated: 0 };
    for (let k = 0; k < 3000; k++) {
      const h = k % 2 === 0 ? randomTinyHistory(random) : perturbedGenerated(random);
      const expected = bruteForceLinearizable(h) ? 'linearizable' : 'violated';
      const got = verdict(h);
      if (got !== expected) expect({ history: h, got }).toEqual({ history: h, got: expected });
      counts[expected]++;
    }
    expect(counts.linearizable).toBeGreaterThan(500);
    expect(counts.violated).toBeGreaterThan(500);
  });
});

describe('generated histories', () => {
  it('are linearizable, with clients one operation at a time, unknown outcomes and cas misses', () => {
    for (const shape of [{}, { keys: 1 }, { keys: 2, infoRate: 0.2, casMiss: 'boolean' as const }]) {
      for (const seed of [1, 2]) {
        const h = generateHistory({ seed, ops: 400, ...shape });
        expect(h).toHaveLength(400);
        expect(h.some((o) => o.type === 'info')).toBe(true);
        expect(h.some((o) => o.type === 'fail' && o.input.op === 'cas')).toBe(true);
        const lastReturn = new Map<string, number>();
        for (const o of h) {
          expect(o.call).toBeGreaterThanOrEqual(lastReturn.get(o.client) ?? 0);
          lastReturn.set(o.client, o.return);
        }
        expect(verdict(h)).toBe('linearizable');
      }
    }
  });

  it('are broken by a stale or a ghost read', () => {
    for (const kind of ['stale', 'ghost'] as const) {
      for (const seed of [1, 2, 3]) {
        const h = generateHistory({ seed, ops: 400, keys: 2 });
        const m = mutateHistory(h, seed, kind);
        expect(m.history[m.index]?.output).not.toEqual(h[m.index]?.output);
        const result = checkLinearizable(m.history);
        expect(result, m.description).toMatchObject({ verdict: 'violated', key: h[m.index]?.input.key });
      }
    }
  });

  it('2,000 operations of 20 clients on a few keys are decided (time logged)', { timeout: 120_000 }, () => {
    for (const keys of [3, 1]) {
      const h = generateHistory({ seed: 11, ops: 2000, clients: 20, keys, infoRate: 0.05 });
      const cases = [
        ['linearizable', h],
        ['violated', mutateHistory(h, 11, 'stale', 0.9).history],
      ] as const;
      for (const [expected, history] of cases) {
        const started = performance.now();
        const result = checkLinearizable(history);
        const ms = performance.now() - started;
        console.log(`2000 ops, 20 clients, ${keys} key(s), ${expected}: ${result.steps} steps, ${ms.toFixed(0)} ms`);
        expect(result.verdict).toBe(expected);
      }
    }
  });
});

describe('history JSON', () => {
  it('round-trips', () => {
    const h = [
      op('a', put('x', '1'), null, 0, 10),
      op('b', cas('x', '1', '2'), true, 20, 30),
      op('c', get('x'), null, 5, 6, 'info'),
      op('d', cas('x', '1', '3'), { applied: false, value: '2' }, 40, 50, 'fail'),
      op('e', cas('x', null, '3'), false, 40, 50, 'fail'),
    ];
    expect(historyFromJson(historyToJson(h))).toEqual(h);
  });

  it('rejects malformed input with a typed error naming the field', () => {
    expect(() => historyFromJson('{')).toThrow(HistoryFormatError);
    expect(() => historyFromJson('{}')).toThrow(/array/);
    expect(() => historyFromJson('[{"client":"a","input":{"op":"del","key":"x"},"call":0,"return":1,"type":"ok"}]')).toThrow(/unknown op/);
    expect(() => historyFromJson('[{"client":"a","input":{"op":"put","key":"x","value":"1"},"call":5,"return":1,"type":"ok"}]')).toThrow(/return precedes call/);
    const casWith = (output: string, type = 'fail') =>
      `[{"client":"a","input":{"op":"cas","key":"x","value":"1","expected":null},"output":${output},"call":0,"return":1,"type":"${type}"}]`;
    expect(() => historyFromJson(casWith('{"applied":true,"value":"1"}'))).toThrow(/cas output object must be/);
    expect(() => historyFromJson(casWith('{"applied":false}'))).toThrow(/cas output object must be/);
    expect(() => historyFromJson(casWith('{"applied":false,"value":"2"}', 'info'))).toThrow(/info operation has no known output/);
    expect(() => historyFromJson('[{"client":"a","input":{"op":"get","key":"x"},"output":{"applied":false,"value":null},"call":0,"return":1,"type":"ok"}]')).toThrow(
      /only a cas output may be an object/,
    );
  });
});

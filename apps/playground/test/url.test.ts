import { describe, expect, it } from 'vitest';
import { ActionParseError, decodeAction, encodeAction, type Action } from '../src/teach/model/actions.ts';
import { decodeRun, encodeRun } from '../src/teach/model/url.ts';

const samples: Action[] = [
  { t: 0, kind: 'crash', node: 's2' },
  { t: 15, kind: 'restart', node: 's2' },
  { t: 20, kind: 'timeout', node: 's1' },
  { t: 25, kind: 'request', node: 's3' },
  { t: 30, kind: 'cut', a: 's1', b: 's4' },
  { t: 35, kind: 'heal', a: 's1', b: 's4' },
  { t: 40, kind: 'drop', msg: 17 },
  { t: 45, kind: 'partition', groups: [['s1', 's2'], ['s3', 's4', 's5']] },
  { t: 50, kind: 'healAll' },
  { t: 55, kind: 'addNode', node: 's6' },
  { t: 60, kind: 'removeNode', node: 's1' },
  { t: 65, kind: 'snapshot', node: 's1' },
  { t: 70, kind: 'transfer', node: 's3' },
  { t: 75, kind: 'read', node: 's2' },
];

describe('actions in the URL', () => {
  it('every action survives encode and decode', () => {
    for (const a of samples) expect(decodeAction(encodeAction(a))).toEqual(a);
  });

  it('a whole run survives the hash, actions sorted by time', () => {
    const run = { seed: 42, nodes: 5, actions: samples, time: 1234, classic: true, scenario: 'log-repair', marks: [0, 850, 1200] };
    const hash = encodeRun(run);
    expect(hash).toContain('actions=0.crash.s2~15.restart.s2');
    expect(hash).toContain('45.partition.s1+s2.s3+s4+s5');
    expect(hash).toContain('raft=classic');
    expect(hash).toContain('marks=0~850~1200');
    expect(decodeRun(hash)).toEqual(run);
  });

  it('keeps only the first step of a scenario whose marks are malformed', () => {
    for (const marks of ['x', '5~2', '-1', '0~~3']) expect(decodeRun(`#scenario=election&marks=${marks}`).marks, marks).toEqual([0]);
  });

  it('rejects malformed actions with a typed error', () => {
    for (const bad of ['x.crash.s1', '10.explode.s1', '10.crash', '10.cut.s1', '10.drop.-1', '10.crash.S<1>', '10.partition.s1', '10.healAll.s1']) {
      expect(() => decodeAction(bad), bad).toThrow(ActionParseError);
    }
  });

  it('falls back to defaults for missing or out-of-range fields', () => {
    expect(decodeRun('#nodes=99&seed=-3')).toEqual({ seed: 1, nodes: 5, actions: [], time: 0 });
    expect(decodeRun('')).toEqual({ seed: 1, nodes: 5, actions: [], time: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Inflights } from '../../src/raft/inflights.ts';
import { Progress } from '../../src/raft/progress.ts';
import { ReadOnly } from '../../src/raft/read-only.ts';
import { applyConfChange, emptyConfState } from '../../src/raft/confchange.ts';
import { decodeConfChange, decodeConfEntry, encodeConfChange, encodeConfEntry, ConfChangeDecodeError } from '../../src/raft/conf-change-codec.ts';
import type { ConfChange, ConfState } from '../../src/raft/types.ts';
import { resolveOptions, RaftConfigError } from '../../src/raft/options.ts';

const conf = (voters: string[], extra: Partial<ConfState> = {}): ConfState => ({ ...emptyConfState, voters, ...extra });
const cc = (changes: ConfChange['changes'], transition: ConfChange['transition'] = 'auto'): ConfChange => ({
  changes,
  transition,
  context: new Uint8Array([1, 2, 255]),
});

describe('Inflights', () => {
  it('is bounded by count and by bytes', () => {
    const byCount = new Inflights(2, 0);
    byCount.add(1, 100);
    expect(byCount.full()).toBe(false);
    byCount.add(2, 100);
    expect(byCount.full()).toBe(true);
    byCount.freeLE(1);
    expect(byCount.full()).toBe(false);
    const byBytes = new Inflights(100, 10);
    byBytes.add(1, 6);
    expect(byBytes.full()).toBe(false);
    byBytes.add(2, 6);
    expect(byBytes.full()).toBe(true);
    byBytes.freeFirst();
    expect(byBytes.bytes).toBe(6);
  });

  it('property: count and bytes equal those of the unfreed messages', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(50)), { maxLength: 200 }), fc.nat(1000), (sends, freeTo) => {
        const inf = new Inflights(1000, 0);
        let index = 0;
        const all: [number, number][] = [];
        for (const [step, bytes] of sends) {
          index += step + 1;
          inf.add(index, bytes);
          all.push([index, bytes]);
        }
        inf.freeLE(freeTo);
        const left = all.filter(([i]) => i > freeTo);
        expect(inf.count).toBe(left.length);
        expect(inf.bytes).toBe(left.reduce((s, [, b]) => s + b, 0));
      }),
    );
  });
});

describe('Progress', () => {
  it('probe sends one message until answered; replicate pipelines', () => {
    const pr = new Progress(5, 3, 0);
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(2, 6, 10);
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeUpdate(6)).toBe(true);
    pr.becomeReplicate();
    expect(pr.next).toBe(7);
    pr.sentEntries(1, 7, 1);
    pr.sentEntries(1, 8, 1);
    pr.sentEntries(1, 9, 1);
    expect(pr.next).toBe(10);
    expect(pr.isPaused()).toBe(true);
  });

  it('maybeDecrTo ignores stale rejections and uses the hint', () => {
    const pr = new Progress(10, 3, 0);
    expect(pr.maybeDecrTo(5, 0)).toBe(false);
    expect(pr.maybeDecrTo(9, 3)).toBe(true);
    expect(pr.next).toBe(4);
    pr.match = 3;
    pr.becomeReplicate();
    expect(pr.maybeDecrTo(2, 0)).toBe(false);
    expect(pr.maybeDecrTo(6, 0)).toBe(true);
    expect(pr.next).toBe(4);
  });

  it('after a snapshot, probing resumes past the snapshot index', () => {
    const pr = new Progress(1, 3, 0);
    pr.becomeSnapshot(20);
    expect(pr.isPaused()).toBe(true);
    pr.becomeProbe();
    expect(pr.next).toBe(21);
  });
});

describe('ReadOnly', () => {
  it('a later acknowledged request answers the earlier ones too', () => {
    const ro = new ReadOnly();
    const c1 = new Uint8Array([1]);
    const c2 = new Uint8Array([2]);
    expect(ro.add(5, 'a', c1, 0)).toBe(true);
    expect(ro.add(5, 'a', c1, 1)).toBe(false);
    ro.add(6, 'b', c2, 2);
    expect(ro.sentTick(c1)).toBe(0);
    expect(ro.sentTick(c2)).toBe(2);
    expect(ro.lastPendingContext()).toEqual(c2);
    expect(ro.recvAck('x', c2)?.size).toBe(1);
    expect(ro.advance(c2).map((r) => r.index)).toEqual([5, 6]);
    expect(ro.size).toBe(0);
    expect(ro.recvAck('x', c1)).toBeUndefined();
  });
});

describe('applyConfChange (thesis §4)', () => {
  it('simple changes alter at most one voter', () => {
    expect(applyConfChange(conf(['a', 'b']), cc([{ type: 'addVoter', id: 'c' }]))).toMatchObject({ ok: true, conf: { voters: ['a', 'b', 'c'] } });
    expect(applyConfChange(conf(['a', 'b']), cc([{ type: 'addLearner', id: 'c' }]))).toMatchObject({ ok: true, conf: { learners: ['c'] } });
    expect(applyConfChange(conf(['a', 'b'], { learners: ['c'] }), cc([{ type: 'addVoter', id: 'c' }]))).toMatchObject({
      ok: true,
      conf: { voters: ['a', 'b', 'c'], learners: [] },
    });
    expect(applyConfChange(conf(['a']), cc([{ type: 'remove', id: 'a' }])).ok).toBe(false);
  });

  it('several changes enter a joint configuration; an empty change leaves it', () => {
    const joint = applyConfChange(conf(['a', 'b', 'c']), cc([{ type: 'addVoter', id: 'd' }, { type: 'remove', id: 'a' }]));
    expect(joint).toMatchObject({ ok: true, conf: { voters: ['b', 'c', 'd'], votersOutgoing: ['a', 'b', 'c'], autoLeave: true } });
    if (!joint.ok) return;
    expect(applyConfChange(joint.conf, cc([{ type: 'addVoter', id: 'e' }])).ok).toBe(false);
    expect(applyConfChange(joint.conf, cc([]))).toMatchObject({ ok: true, conf: { voters: ['b', 'c', 'd'], votersOutgoing: [], autoLeave: false } });
    expect(applyConfChange(conf(['a']), cc([])).ok).toBe(false);
  });

  it('explicit transition is joint even for one change and does not auto-leave', () => {
    expect(applyConfChange(conf(['a', 'b']), cc([{ type: 'addVoter', id: 'c' }], 'explicit'))).toMatchObject({
      ok: true,
      conf: { votersOutgoing: ['a', 'b'], autoLeave: false },
    });
  });

  it('demoting a voter during a joint change goes through learnersNext', () => {
    const r = applyConfChange(conf(['a', 'b', 'c']), cc([{ type: 'addLearner', id: 'c' }, { type: 'addVoter', id: 'd' }]));
    expect(r).toMatchObject({ ok: true, conf: { voters: ['a', 'b', 'd'], learnersNext: ['c'], learners: [] } });
    if (!r.ok) return;
    expect(applyConfChange(r.conf, cc([]))).toMatchObject({ ok: true, conf: { learners: ['c'], learnersNext: [] } });
  });
});

describe('config entry codec', () => {
  it('round-trips a change, with and without its resulting configuration', () => {
    const change = cc([{ type: 'addVoter', id: 'n1' }, { type: 'remove', id: 'n2' }], 'explicit');
    expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
    const result = conf(['n1'], { votersOutgoing: ['n2'] });
    expect(decodeConfEntry(encodeConfEntry(change, result))).toEqual({ change, result });
    expect(encodeConfChange(change)).toEqual(encodeConfChange({ ...change }));
  });

  it('refuses malformed bytes with ConfChangeDecodeError', () => {
    for (const bad of ['', 'x', '{"v":2}', '{"v":1,"t":"auto","c":[["zap","a"]],"x":""}', '{"v":1,"t":"auto","c":[],"x":"zz"}']) {
      expect(() => decodeConfChange(new TextEncoder().encode(bad))).toThrow(ConfChangeDecodeError);
    }
    expect(() => decodeConfChange(new Uint8Array([0xff, 0xfe]))).toThrow(ConfChangeDecodeError);
  });
});

describe('options', () => {
  it('fills defaults and refuses impossible values', () => {
    const o = resolveOptions({ id: 'a', random: () => 0 });
    expect(o).toMatchObject({ electionTicks: 10, heartbeatTicks: 1, preVote: true, checkQuorum: true, readOnly: 'safe', proposalsWithoutLeader: 'forward' });
    expect(() => resolveOptions({ id: '', random: () => 0 })).toThrow(RaftConfigError);
    expect(() => resolveOptions({ id: 'a', random: () => 0, electionTicks: 2, heartbeatTicks: 2 })).toThrow(RaftConfigError);
    expect(() => resolveOptions({ id: 'a', random: () => 0, maxInflightMsgs: 0 })).toThrow(RaftConfigError);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RaftLog } from '../../src/raft/log.ts';
import type { Entry } from '../../src/raft/types.ts';

const ent = (index: number, term: number, data = ''): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(data) });
const ofTerms = (terms: number[], from = 1): Entry[] => terms.map((t, i) => ent(from + i, t));
const termsOf = (log: RaftLog): number[] => {
  const out: number[] = [];
  for (let i = log.firstIndex(); i <= log.lastIndex(); i++) out.push(log.term(i) as number);
  return out;
};

/** Non-decreasing term sequences, as any Raft log has. */
const arbTerms = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 12 }).map((ts) => [...ts].sort((a, b) => a - b));

describe('RaftLog', () => {
  it('term lookup around the compaction point', () => {
    const log = new RaftLog({ meta: { index: 5, term: 2, conf: { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array() }, ofTerms([2, 3], 6));
    expect(log.firstIndex()).toBe(6);
    expect(log.lastIndex()).toBe(7);
    expect(log.term(5)).toBe(2);
    expect(log.term(4)).toBeUndefined();
    expect(log.term(7)).toBe(3);
    expect(log.term(8)).toBeUndefined();
    expect(log.committed).toBe(5);
  });

  it('§5.3: maybeAppend rejects a mismatched previous entry and truncates conflicts', () => {
    const log = new RaftLog(undefined, ofTerms([1, 1, 2, 2]));
    expect(log.maybeAppend(4, 3, 0, [])).toBeUndefined();
    expect(log.maybeAppend(2, 1, 3, [ent(3, 3), ent(4, 3), ent(5, 3)])).toBe(5);
    expect(termsOf(log)).toEqual([1, 1, 3, 3, 3]);
    expect(log.committed).toBe(3);
    // A shorter duplicate does not truncate the entries after it.
    expect(log.maybeAppend(2, 1, 3, [ent(3, 3)])).toBe(3);
    expect(log.lastIndex()).toBe(5);
  });

  it('refuses to overwrite committed entries', () => {
    const log = new RaftLog(undefined, ofTerms([1, 1, 2]));
    log.commitTo(3);
    expect(log.maybeAppend(1, 1, 3, [ent(2, 2)])).toBe('conflictsCommitted');
    expect(termsOf(log)).toEqual([1, 1, 2]);
  });

  it('findConflictByTerm skips a whole term', () => {
    const log = new RaftLog(undefined, ofTerms([1, 1, 2, 2, 2, 5, 5]));
    expect(log.findConflictByTerm(7, 3)).toBe(5);
    expect(log.findConflictByTerm(7, 1)).toBe(2);
    expect(log.findConflictByTerm(7, 0)).toBe(0);
    expect(log.findConflictByTerm(9, 0)).toBe(9);
  });

  it('slice honours the byte limit but returns at least one entry', () => {
    const log = new RaftLog(undefined, [ent(1, 1, 'aaaa'), ent(2, 1, 'bbbb'), ent(3, 1, 'cc')]);
    expect(log.slice(1, 4, 0).map((e) => e.index)).toEqual([1]);
    expect(log.slice(1, 4, 8).map((e) => e.index)).toEqual([1, 2]);
    expect(log.slice(1, 4, 100).map((e) => e.index)).toEqual([1, 2, 3]);
  });

  it('durable tracking follows writes and survives truncation', () => {
    const log = new RaftLog(undefined, []);
    log.append(ofTerms([1, 1, 1]));
    log.markHandedOff(1);
    expect(log.unstableEntries()).toEqual([]);
    // A new leader overwrites index 3 before write 1 is durable.
    log.append([ent(3, 2), ent(4, 2)]);
    expect(log.handedOff).toBe(2);
    log.persistedTo(1);
    expect(log.durable).toBe(2);
    expect(log.unstableEntries().map((e) => e.index)).toEqual([3, 4]);
    log.markHandedOff(2);
    log.persistedTo(2);
    expect(log.durable).toBe(4);
  });

  it('compact keeps entries before the snapshot index on request', () => {
    const log = new RaftLog(undefined, ofTerms([1, 1, 2, 2, 3]));
    const conf = { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
    log.compact({ meta: { index: 4, term: 2, conf }, data: new Uint8Array() }, 2);
    expect(log.firstIndex()).toBe(3);
    expect(log.term(2)).toBe(1);
    expect(log.snapshot?.meta.index).toBe(4);
  });

  it('property: appending a suffix gives prefix + suffix', () => {
    fc.assert(
      fc.property(arbTerms, arbTerms, fc.nat(12), (base, tail, cut) => {
        const log = new RaftLog(undefined, ofTerms(base));
        const at = Math.min(cut, base.length);
        const lastBase = at === 0 ? 1 : (base[at - 1] as number);
        const suffix = tail.map((t) => t + lastBase);
        log.append(ofTerms(suffix, at + 1));
        const expected = suffix.length === 0 ? base : [...base.slice(0, at), ...suffix];
        expect(termsOf(log)).toEqual(expected);
      }),
    );
  });

  it('property: findConflict returns the first index whose term differs', () => {
    fc.assert(
      fc.property(arbTerms, arbTerms, (a, b) => {
        const log = new RaftLog(undefined, ofTerms(a));
        const conflict = log.findConflict(ofTerms(b));
        let expected = 0;
        for (let i = 0; i < b.length; i++) {
          if (a[i] !== b[i]) {
            expected = i + 1;
            break;
          }
        }
        expect(conflict).toBe(expected);
      }),
    );
  });

  it('property: §5.3 after an accepted append the follower log matches the leader log', () => {
    fc.assert(
      fc.property(arbTerms, fc.nat(12), fc.nat(12), fc.array(fc.constant(0), { maxLength: 5 }), (leader, k0, p0, tailShape) => {
        // Follower: a prefix of the leader log plus entries of terms the leader never had.
        const k = Math.min(k0, leader.length);
        const tail = tailShape.map((_, i) => 100 + i);
        const log = new RaftLog(undefined, ofTerms([...leader.slice(0, k), ...tail]));
        const p = Math.min(p0, k);
        const prevTerm = p === 0 ? 0 : (leader[p - 1] as number);
        expect(log.maybeAppend(p, prevTerm, 0, ofTerms(leader.slice(p), p + 1))).toBe(leader.length);
        expect(termsOf(log)).toEqual(k === leader.length ? [...leader, ...tail] : leader);
      }),
    );
  });

  it('property: isAtLeastAsRecent orders logs by (lastTerm, lastIndex) (§5.4.1)', () => {
    fc.assert(
      fc.property(arbTerms, fc.nat(20), fc.nat(5), (terms, li, lt) => {
        const log = new RaftLog(undefined, ofTerms(terms));
        const myTerm = terms.length === 0 ? 0 : (terms[terms.length - 1] as number);
        expect(log.isAtLeastAsRecent(li, lt)).toBe(lt > myTerm || (lt === myTerm && li >= terms.length));
      }),
    );
  });
});

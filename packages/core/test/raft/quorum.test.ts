import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jointIndex, jointVote, majorityIndex, majorityVote } from '../../src/raft/quorum.ts';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);

describe('quorum math (§5.3, thesis §4.3)', () => {
  it('majorityIndex examples', () => {
    const acked = (m: Record<string, number>) => (id: string) => m[id] ?? 0;
    expect(majorityIndex(['a', 'b', 'c'], acked({ a: 5, b: 4, c: 1 }))).toBe(4);
    expect(majorityIndex(['a', 'b', 'c', 'd'], acked({ a: 5, b: 4, c: 3, d: 1 }))).toBe(3);
    expect(majorityIndex(['a'], acked({ a: 7 }))).toBe(7);
    expect(majorityIndex([], acked({}))).toBe(Infinity);
    expect(jointIndex([], [], acked({}))).toBe(0);
  });

  it('property: the committed index is the largest index held by a majority', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 9 }), (matches) => {
        const voters = ids(matches.length);
        const acked = (id: string): number => matches[Number(id.slice(1))] ?? 0;
        const c = majorityIndex(voters, acked);
        const holding = (i: number): number => matches.filter((m) => m >= i).length;
        const majority = Math.floor(matches.length / 2) + 1;
        expect(holding(c)).toBeGreaterThanOrEqual(majority);
        expect(holding(c + 1)).toBeLessThan(majority);
      }),
    );
  });

  it('property: a joint committed index is the minimum of both halves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(50), { minLength: 1, maxLength: 7 }),
        fc.array(fc.nat(50), { minLength: 0, maxLength: 7 }),
        (a, b) => {
          const inc = a.map((_, i) => `i${i}`);
          const out = b.map((_, i) => `o${i}`);
          const acked = (id: string): number => (id[0] === 'i' ? a : b)[Number(id.slice(1))] ?? 0;
          const expected = b.length === 0 ? majorityIndex(inc, acked) : Math.min(majorityIndex(inc, acked), majorityIndex(out, acked));
          expect(jointIndex(inc, out, acked)).toBe(expected);
        },
      ),
    );
  });

  it('majorityVote: won, lost and pending', () => {
    const v = (m: Record<string, boolean>) => (id: string) => m[id];
    expect(majorityVote(['a', 'b', 'c'], v({ a: true, b: true }))).toBe('won');
    expect(majorityVote(['a', 'b', 'c'], v({ a: true }))).toBe('pending');
    expect(majorityVote(['a', 'b', 'c'], v({ a: true, b: false, c: false }))).toBe('lost');
    expect(majorityVote(['a', 'b', 'c', 'd'], v({ a: true, b: true }))).toBe('pending');
    expect(majorityVote([], v({}))).toBe('won');
  });

  it('property: a vote result agrees with counting', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.boolean(), { nil: undefined }), { minLength: 1, maxLength: 9 }), (votes) => {
        const voters = ids(votes.length);
        const result = majorityVote(voters, (id) => votes[Number(id.slice(1))]);
        const yes = votes.filter((x) => x === true).length;
        const no = votes.filter((x) => x === false).length;
        const q = Math.floor(votes.length / 2) + 1;
        expect(result).toBe(yes >= q ? 'won' : votes.length - no >= q ? 'pending' : 'lost');
      }),
    );
  });

  it('jointVote needs both majorities', () => {
    const yes = new Set(['a', 'b', 'd']);
    const no = new Set(['c', 'e', 'f']);
    const v = (id: string): boolean | undefined => (yes.has(id) ? true : no.has(id) ? false : undefined);
    expect(jointVote(['a', 'b', 'c'], ['d', 'e', 'f'], v)).toBe('lost');
    expect(jointVote(['a', 'b', 'c'], ['a', 'b', 'd'], v)).toBe('won');
    expect(jointVote(['a', 'b', 'c'], ['d', 'x', 'y'], v)).toBe('pending');
  });
});

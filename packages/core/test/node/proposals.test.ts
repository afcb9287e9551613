import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/node/errors.ts';
import { Proposals } from '../../src/node/proposals.ts';

/** Registers `n` waiters; returns their seqs and how each settled. */
function register(proposals: Proposals, n: number, deadline = 1_000) {
  const seqs: number[] = [];
  const settled = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const promise = proposals.add<number>('proposal', deadline, 10, undefined);
    const seq = proposals.lastSeq;
    seqs.push(seq);
    promise.then(
      (value) => settled.set(seq, `ok ${value}`),
      (error: Error) => settled.set(seq, error.name),
    );
  }
  return { seqs, settled };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('proposal waiters', () => {
  it('settles each waiter once, in any order', async () => {
    const proposals = new Proposals();
    const { seqs, settled } = register(proposals, 50);
    const order = [...seqs].reverse().filter((_, i) => i % 2 === 0).concat(seqs.filter((_, i) => i % 2 === 0));
    for (const seq of order) proposals.resolve(seq, seq * 10);
    for (const seq of order) proposals.resolve(seq, -1);
    await flush();
    expect(proposals.size).toBe(0);
    for (const seq of seqs) expect(settled.get(seq)).toBe(`ok ${seq * 10}`);
  });

  it('keeps a slow waiter findable while many newer ones come and go', async () => {
    const proposals = new Proposals();
    const slow = register(proposals, 1, 1_000_000);
    const fast = register(proposals, 20_000, 1_000_000);
    for (const seq of fast.seqs) proposals.resolve(seq, 1);
    const later = register(proposals, 3, 5);
    expect(proposals.size).toBe(4);
    proposals.resolve(later.seqs[1]!, 2);
    proposals.expire(10);
    expect(proposals.size).toBe(1);
    proposals.resolve(slow.seqs[0]!, 7);
    await flush();
    expect(slow.settled.get(slow.seqs[0]!)).toBe('ok 7');
    expect(later.settled.get(later.seqs[0]!)).toBe(TimeoutError.name);
    expect(later.settled.get(later.seqs[1]!)).toBe('ok 2');
    expect(later.settled.get(later.seqs[2]!)).toBe(TimeoutError.name);
    expect(proposals.size).toBe(0);
  });

  it('fails every waiter on failAll, stragglers included', async () => {
    const proposals = new Proposals();
    const first = register(proposals, 1);
    const rest = register(proposals, 10_000);
    for (const seq of rest.seqs.slice(0, 9_000)) proposals.resolve(seq, 0);
    proposals.failAll(new TimeoutError('x', 1));
    await flush();
    expect(proposals.size).toBe(0);
    expect(first.settled.get(first.seqs[0]!)).toBe(TimeoutError.name);
    expect(rest.seqs.slice(9_000).every((seq) => rest.settled.get(seq) === TimeoutError.name)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Network } from './network.ts';

describe('cluster basics', () => {
  it('§5.2: a candidate that gets a majority becomes leader', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    expect(net.core('a').status().role).toBe('leader');
    expect(net.core('b').status().lead).toBe('a');
    expect(net.core('a').status().term).toBe(1);
  });

  it('§5.3: entries replicate and commit on a majority', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    const out = net.propose('a', 'x=1');
    expect(out).toEqual({ ok: true, index: 2, term: 1 });
    for (const id of ['a', 'b', 'c']) {
      expect(net.node(id).applied).toEqual(['x=1']);
      expect(net.core(id).status().commit).toBe(2);
    }
  });

  it('§5.2: a single-node cluster elects itself after a timeout', () => {
    const net = new Network(['a']);
    net.tickAll(25);
    expect(net.core('a').status().role).toBe('leader');
    net.propose('a', 'v');
    expect(net.node('a').applied).toEqual(['v']);
  });

  it('§5.2: randomized timeouts elect exactly one leader', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e']);
    net.tickAll(40);
    const leaders = [...net.nodes.values()].filter((n) => n.core.status().role === 'leader');
    expect(leaders).toHaveLength(1);
  });
});

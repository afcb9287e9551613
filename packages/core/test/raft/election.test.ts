import { describe, expect, it } from 'vitest';
import { Network } from './network.ts';
import type { Message } from '../../src/raft/types.ts';

describe('elections', () => {
  it('§5.4.1: a candidate whose log is behind cannot win', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.isolate('c');
    net.propose('a', 'x');
    net.heal();
    // c missed the entry: a and b refuse to vote for it.
    net.core('c').campaign();
    net.stabilize();
    expect(net.core('c').status().role).not.toBe('leader');
    expect(net.core('a').status().role).toBe('leader');
  });

  it('§5.4.1: a real election (PreVote off) by a lagging candidate is lost', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
    net.campaign('a');
    net.isolate('c');
    net.propose('a', 'x');
    net.heal();
    net.campaign('c');
    expect(net.core('c').status().role).toBe('follower');
    expect(net.core('c').status().term).toBe(2);
    net.campaign('b');
    expect(net.core('b').status().role).toBe('leader');
  });

  it('thesis §9.6: PreVote keeps a partitioned node from raising its term', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.isolate('c');
    net.tickAll(50);
    expect(net.core('c').status().term).toBe(1);
    expect(net.core('c').status().role).toBe('preCandidate');
    net.heal();
    net.tickAll(3);
    expect(net.core('a').status().role).toBe('leader');
    expect(net.core('a').status().term).toBe(1);
    expect(net.core('c').status().lead).toBe('a');
  });

  it('thesis §9.6: without PreVote a rejoining node disrupts the leader by its term', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
    net.campaign('a');
    net.isolate('c');
    net.tickAll(50);
    expect(net.core('c').status().term).toBeGreaterThan(1);
    net.heal();
    net.tickAll(30);
    expect(net.core('a').status().term).toBeGreaterThan(1);
  });

  it('thesis §6.2 CheckQuorum: a leader that loses its quorum steps down', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.isolate('a');
    for (let i = 0; i < 25; i++) {
      net.tick('a');
      net.stabilize();
    }
    expect(net.core('a').status().role).toBe('follower');
  });

  it('thesis §4.2.3: a follower in its leader lease ignores vote requests', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false });
    net.campaign('a');
    net.tickAll(1);
    const rej = net.core('b').step({
      type: 'vote', from: 'c', to: 'b', term: 5, pre: false, lastLogIndex: 99, lastLogTerm: 1, transfer: false,
    });
    expect(rej).toBeUndefined();
    expect(net.core('b').status().term).toBe(1);
    expect(net.core('b').hasReady()).toBe(false);
    // With the transfer flag the lease is disregarded.
    net.core('b').step({ type: 'vote', from: 'c', to: 'b', term: 5, pre: false, lastLogIndex: 99, lastLogTerm: 1, transfer: true });
    expect(net.core('b').status().term).toBe(5);
    expect(net.core('b').status().vote).toBe('c');
  });

  it('§5.1: a node that sees a higher term steps down', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
    net.campaign('a');
    net.campaign('b');
    expect(net.core('b').status().role).toBe('leader');
    expect(net.core('a').status().role).toBe('follower');
    expect(net.core('a').status().term).toBe(2);
  });

  it('§5.2: an uninitialised node never campaigns', () => {
    const net = new Network(['a']);
    net.add('z');
    net.tickAll(100);
    expect(net.core('z').status().role).toBe('follower');
    expect(net.core('z').status().term).toBe(0);
  });

  it('§5.2: randomized timeout lies in [electionTicks, 2*electionTicks)', () => {
    for (const r of [0, 0.5, 0.999999]) {
      const net = new Network([]);
      const n = net.add('a', { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false }, { random: () => r, preVote: false });
      let ticks = 0;
      while (n.core.status().role === 'follower') {
        n.core.tick();
        ticks++;
      }
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
    }
  });

  it('Figure 2: a candidate counts its own vote only once it is durable', () => {
    const net = new Network(['a']);
    const n = net.node('a');
    n.autoPersist = false;
    n.core.campaign();
    net.stabilize();
    expect(n.core.status().role).toBe('candidate');
    net.flush('a');
    net.stabilize();
    expect(n.core.status().role).toBe('leader');
  });

  it('§5.2: vote grants wait for the vote to be durable', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false });
    net.node('b').autoPersist = false;
    net.core('a').campaign();
    const sent: Message[] = [];
    net.filters.push((m) => {
      sent.push(m);
      return true;
    });
    net.stabilize();
    const grantFromB = sent.filter((m) => m.type === 'voteResp' && m.from === 'b');
    expect(grantFromB).toHaveLength(0);
    net.flush('b');
    net.stabilize();
    expect(sent.some((m) => m.type === 'voteResp' && m.from === 'b')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Network } from './network.ts';
import type { ConfChange, ConfChangeSingle } from '../../src/raft/types.ts';

const change = (changes: ConfChangeSingle[], transition: ConfChange['transition'] = 'auto'): ConfChange => ({
  changes,
  transition,
  context: new Uint8Array(0),
});

function cluster(): Network {
  const net = new Network(['a', 'b', 'c']);
  net.campaign('a');
  return net;
}

describe('membership changes (thesis §4)', () => {
  it('§4.1: a single voter added directly takes effect when applied', () => {
    const net = cluster();
    net.add('d');
    const out = net.core('a').proposeConfChange(change([{ type: 'addVoter', id: 'd' }]));
    expect(out.ok).toBe(true);
    net.stabilize();
    for (const id of ['a', 'b', 'c', 'd']) expect(net.core(id).status().conf.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(net.node('a').confStates.at(-1)?.voters).toEqual(['a', 'b', 'c', 'd']);
    net.propose('a', 'x');
    expect(net.node('d').applied).toEqual(['x']);
  });

  it('§4.3: joint consensus 3 → 5 → 3 with automatic leave', () => {
    const net = cluster();
    net.add('d');
    net.add('e');
    const grow = net.core('a').proposeConfChange(change([{ type: 'addVoter', id: 'd' }, { type: 'addVoter', id: 'e' }]));
    expect(grow.ok).toBe(true);
    net.stabilize();
    const joint = net.node('b').confStates.find((c) => c.votersOutgoing.length > 0);
    expect(joint).toMatchObject({ voters: ['a', 'b', 'c', 'd', 'e'], votersOutgoing: ['a', 'b', 'c'], autoLeave: true });
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      expect(net.core(id).status().conf).toMatchObject({ voters: ['a', 'b', 'c', 'd', 'e'], votersOutgoing: [] });
    }
    // Shrink back to 3 without the leader: a leads C_old,new, then, once C_new applies, hands
    // leadership to a remaining voter (thesis §4.2.2, §3.10) and follows it.
    const shrink = net.core('a').proposeConfChange(change([{ type: 'remove', id: 'a' }, { type: 'remove', id: 'b' }]));
    expect(shrink.ok).toBe(true);
    net.stabilize();
    expect(net.core('c').status().conf).toMatchObject({ voters: ['c', 'd', 'e'], votersOutgoing: [] });
    net.tickAll(30);
    expect(net.core('a').status().role).toBe('follower');
    const leader = net.leader();
    expect(['c', 'd', 'e']).toContain(leader);
    net.propose(leader as string, 'after');
    expect(net.node('e').applied).toEqual(['after']);
  });

  it('§4.3: in C_old,new both majorities are needed to commit', () => {
    const net = cluster();
    net.add('d');
    net.add('e');
    net.core('a').proposeConfChange(change([{ type: 'addVoter', id: 'd' }, { type: 'addVoter', id: 'e' }], 'explicit'));
    net.stabilize();
    expect(net.core('a').status().conf.votersOutgoing).toEqual(['a', 'b', 'c']);
    // The old majority {a,b,c} is cut to a alone: d and e alone are not enough.
    net.isolate('b');
    net.isolate('c');
    const before = net.core('a').status().commit;
    net.propose('a', 'x');
    expect(net.core('a').status().commit).toBe(before);
    net.heal();
    net.tickAll(2);
    expect(net.core('a').status().commit).toBe(before + 1);
    // Explicit: leave by an empty change.
    expect(net.core('a').proposeConfChange(change([])).ok).toBe(true);
    net.stabilize();
    expect(net.core('a').status().conf).toMatchObject({ voters: ['a', 'b', 'c', 'd', 'e'], votersOutgoing: [] });
  });

  it('thesis §4.2.1: learners receive entries, never vote, and can be promoted', () => {
    const net = cluster();
    net.add('l');
    net.core('a').proposeConfChange(change([{ type: 'addLearner', id: 'l' }]));
    net.stabilize();
    net.propose('a', 'x');
    expect(net.node('l').applied).toEqual(['x']);
    expect(net.core('a').status().progress?.l?.learner).toBe(true);
    net.tickAll(50);
    expect(net.core('l').status().role).toBe('follower');
    // Promote.
    net.core('a').proposeConfChange(change([{ type: 'addVoter', id: 'l' }]));
    net.stabilize();
    expect(net.core('l').status().conf.voters).toEqual(['a', 'b', 'c', 'l']);
    expect(net.core('a').status().progress?.l?.learner).toBe(false);
  });

  it('§4.3 learnersNext: demoting a voter in a joint change keeps it voting until the leave', () => {
    const net = cluster();
    net.add('d');
    net.core('a').proposeConfChange(change([{ type: 'addLearner', id: 'c' }, { type: 'addVoter', id: 'd' }], 'explicit'));
    net.stabilize();
    expect(net.core('a').status().conf).toMatchObject({ voters: ['a', 'b', 'd'], votersOutgoing: ['a', 'b', 'c'], learnersNext: ['c'] });
    net.core('a').proposeConfChange(change([]));
    net.stabilize();
    expect(net.core('a').status().conf).toMatchObject({ voters: ['a', 'b', 'd'], learners: ['c'], learnersNext: [] });
  });

  it('thesis §4.1: only one configuration change may be pending', () => {
    const net = cluster();
    net.add('d');
    net.isolate('b');
    net.isolate('c');
    expect(net.core('a').proposeConfChange(change([{ type: 'addVoter', id: 'd' }])).ok).toBe(true);
    net.stabilize();
    expect(net.core('a').proposeConfChange(change([{ type: 'addLearner', id: 'e' }]))).toEqual({
      ok: false,
      reason: 'confChangePending',
      leader: 'a',
    });
  });

  it('§4.3: invalid changes are refused', () => {
    const net = cluster();
    const refuse = (c: ConfChange): unknown => net.core('a').proposeConfChange(c);
    expect(refuse(change([]))).toMatchObject({ ok: false, reason: 'invalidConfChange' });
    expect(refuse(change([{ type: 'remove', id: 'a' }, { type: 'remove', id: 'b' }, { type: 'remove', id: 'c' }]))).toMatchObject({
      ok: false,
      reason: 'invalidConfChange',
    });
  });

  it('§4: a follower forwards a configuration change to the leader', () => {
    const net = cluster();
    net.add('d');
    expect(net.core('b').proposeConfChange(change([{ type: 'addLearner', id: 'd' }]))).toEqual({ ok: true, forwardedTo: 'a' });
    net.stabilize();
    expect(net.core('c').status().conf.learners).toEqual(['d']);
  });

  it('§4.1: a node added later learns the full configuration from the log', () => {
    const net = cluster();
    net.propose('a', 'x');
    net.add('d');
    net.core('a').proposeConfChange(change([{ type: 'addVoter', id: 'd' }]));
    net.stabilize();
    expect(net.core('d').status().conf.voters).toEqual(['a', 'b', 'c', 'd']);
    // d can now lead.
    net.isolate('a');
    net.tickAll(40);
    expect(net.leader()).not.toBe('a');
  });

  it('thesis §4.2.3: a removed follower stops campaigning and refuses proposals', () => {
    const net = cluster();
    net.core('a').proposeConfChange(change([{ type: 'remove', id: 'c' }]));
    net.stabilize();
    net.isolate('c');
    net.tickAll(50);
    expect(net.core('c').status().term).toBe(1);
    expect(net.core('c').propose(new Uint8Array([1]))).toMatchObject({ ok: false, reason: 'removed' });
  });

  it('§4.1: restart re-applies configuration entries up to the applied index', () => {
    const net = cluster();
    net.add('d');
    net.core('a').proposeConfChange(change([{ type: 'addVoter', id: 'd' }]));
    net.stabilize();
    net.crash('d');
    net.restart('d');
    // d restarts with no bootstrap and an empty state machine: it regains the config by applying.
    expect(net.core('d').status().conf.voters).toEqual([]);
    net.stabilize();
    expect(net.core('d').status().conf.voters).toEqual(['a', 'b', 'c', 'd']);
  });
});

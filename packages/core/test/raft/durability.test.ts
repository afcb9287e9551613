import { describe, expect, it } from 'vitest';
import { Network, logOfTerms, text, voters } from './network.ts';
import { RawNode } from '../../src/raft/raw-node.ts';
import { RaftRestoreError } from '../../src/raft/errors.ts';

describe('durability before acting (Figure 2: persist before responding)', () => {
  it('a candidate whose peers alone make a majority still waits for its own durable vote', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false });
    net.node('a').autoPersist = false;
    net.campaign('a');
    // b and c granted; a's own term and vote are not durable yet.
    expect(net.core('a').status().role).toBe('candidate');
    expect(net.log.filter((m) => m.type === 'app')).toHaveLength(0);
    net.flush('a');
    net.stabilize();
    expect(net.core('a').status().role).toBe('leader');
  });

  it('a crash before the vote is durable cannot lead to two leaders of one term', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false });
    net.node('a').autoPersist = false;
    net.campaign('a');
    net.crash('a');
    net.restart('a');
    expect(net.core('a').status().term).toBe(0);
    net.node('a').autoPersist = true;
    net.campaign('a');
    // Re-elected in term 1 by the same grants; it never acted as leader in its first try.
    expect(net.core('a').status()).toMatchObject({ role: 'leader', term: 1 });
    net.propose('a', 'x');
    for (const id of ['a', 'b', 'c']) expect(net.node(id).applied).toEqual(['x']);
  });

  it('thesis §6.4: a lone leader after restart serves reads only after committing in its term', () => {
    const net = new Network(['a']);
    net.campaign('a');
    net.propose('a', 'x');
    // The disk lost the latest commit index (written after the entry).
    net.node('a').disk.hardState = { ...net.node('a').disk.hardState, commit: 1 };
    net.crash('a');
    net.restart('a');
    net.node('a').autoPersist = false;
    net.campaign('a');
    net.flush('a');
    net.stabilize();
    expect(net.core('a').status().role).toBe('leader');
    net.core('a').readIndex(text('r'));
    net.stabilize();
    expect(net.node('a').readStates).toEqual([]);
    net.flush('a');
    net.stabilize();
    expect(net.node('a').readStates).toEqual([{ index: 3, context: 'r' }]);
  });

  it('thesis §3.10: timeoutNow and readIndexResp are accepted only from the leader followed', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    const b = net.core('b');
    expect(b.step({ type: 'timeoutNow', from: 'c', to: 'b', term: 1 })?.reason).toBe('impossibleField');
    expect(b.step({ type: 'timeoutNow', from: 'z', to: 'b', term: 1 })?.reason).toBe('nonMember');
    expect(b.step({ type: 'readIndexResp', from: 'c', to: 'b', term: 1, index: 0, context: text('f'), reject: false })?.reason).toBe(
      'impossibleField',
    );
    expect(b.status().role).toBe('follower');
    expect(b.hasReady()).toBe(false);
    expect(b.step({ type: 'timeoutNow', from: 'a', to: 'b', term: 1 })).toBeUndefined();
    net.stabilize();
    expect(b.status().role).toBe('leader');
  });

  it('§5.4.1: a store with missing committed entries or entries beyond its term is refused', () => {
    const make = (restore: ConstructorParameters<typeof RawNode>[1]): RawNode => new RawNode({ id: 'a', random: () => 0 }, restore);
    expect(() => make({ hardState: { term: 1, vote: '', commit: 5 }, entries: logOfTerms([1, 1]), bootstrap: voters(['a']) })).toThrow(
      RaftRestoreError,
    );
    expect(() => make({ hardState: { term: 1, vote: '', commit: 1 }, entries: logOfTerms([1, 2]), bootstrap: voters(['a']) })).toThrow(
      RaftRestoreError,
    );
    expect(() => make({ hardState: { term: 3, vote: '', commit: 1 }, entries: logOfTerms([2, 1]), bootstrap: voters(['a']) })).toThrow(
      RaftRestoreError,
    );
    expect(make({ hardState: { term: 2, vote: '', commit: 2 }, entries: logOfTerms([1, 2]), bootstrap: voters(['a']) }).status().commit).toBe(2);
  });
});

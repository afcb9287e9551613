/**
 * Raft assumes a node never forgets what it wrote (§5.4.1 counts on a voter remembering the
 * entries it acknowledged and the term it voted in). A store that comes back empty breaks
 * that; the configuration's store bindings tell it, and the core keeps such a node out of
 * every quorum until a change readmits it.
 */
import { describe, expect, it } from 'vitest';
import type { ConfState, HardState, Message } from '../../src/raft/types.ts';
import { storeTag } from '../../src/raft/confchange.ts';
import { RawNode } from '../../src/raft/raw-node.ts';
import { Network, text } from './network.ts';

const stores = { a: 'store-a', b: 'store-b', c: 'store-c' };
const bound: ConfState = { voters: ['a', 'b', 'c'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, stores };
const noConf: ConfState = { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };

/** A three-node cluster whose configuration binds each node to its store. */
function boundCluster(): Network {
  const net = new Network([], { preVote: false });
  for (const id of ['a', 'b', 'c'] as const) {
    const hardState: HardState = { term: 0, vote: '', commit: 0, store: stores[id] };
    net.addFromDisk(id, { hardState, entries: [] }, bound);
  }
  return net;
}

/** `id` comes back on an empty store, with a new identity and no configuration. */
function wipe(net: Network, id: string, store: string): void {
  net.crash(id);
  net.addFromDisk(id, { hardState: { term: 0, vote: '', commit: 0, store }, entries: [] }, noConf);
}

describe('a node that lost its state (§5.4.1 assumes it remembers)', () => {
  it('counts in no election until readmitted, so a committed entry survives a majority that forgot it', () => {
    const net = boundCluster();
    net.campaign('a');
    net.isolate('c');
    net.propose('a', 'x'); // committed on a and b only
    expect(net.node('b').applied).toEqual(['x']);
    wipe(net, 'b', 'store-b2');
    net.heal();
    net.isolate('a');
    // c lacks x; b forgot it acknowledged x. b may grant (it remembers nothing) but names its
    // new store, which c's configuration does not bind it to: counting it would elect c and lose x.
    net.tickAll(40);
    expect(net.log.some((m) => m.type === 'voteResp' && m.from === 'b' && m.to === 'c' && !m.reject)).toBe(true);
    expect(net.core('c').status().role).not.toBe('leader');
    net.heal();
    net.tickAll(40);
    const leader = net.leader()!;
    expect(net.node(leader).applied).toContain('x');
    // The leader readmits b with its new store; b then counts again (c alone cannot elect).
    net.core(leader).proposeConfChange({ changes: [{ type: 'addVoter', id: 'b', store: 'store-b2' }], transition: 'auto', context: new Uint8Array(0) });
    net.stabilize();
    net.tickAll(5);
    expect(net.core('b').status().conf.stores?.b).toBe('store-b2');
    net.isolate(leader);
    net.tickAll(60);
    const next = net.leader();
    expect(next).not.toBe(leader);
    expect(net.node(next!).applied).toContain('x');
  });

  it('names its new store in its answers, which count toward no quorum: a leader cannot commit or confirm a read with it', () => {
    const net = boundCluster();
    net.campaign('a');
    net.propose('a', 'x');
    wipe(net, 'b', 'store-b2');
    net.isolate('c');
    net.log = [];
    net.propose('a', 'y'); // b takes y (it may be a deposed leader's) but its acknowledgement counts for nothing
    net.core('a').readIndex(text('r'));
    net.tickAll(5);
    const answers = net.log.filter((m) => (m.type === 'appResp' || m.type === 'heartbeatResp') && m.from === 'b');
    expect(answers.length).toBeGreaterThan(0);
    // They name its new store, which the configuration does not bind it to.
    expect(answers.every((m) => 'storeTag' in m && m.storeTag === storeTag('store-b2'))).toBe(true);
    expect(net.core('b').status().lastIndex).toBe(net.core('a').status().lastIndex);
    expect(net.node('a').applied).toEqual(['x']);
    expect(net.node('a').readStates).toEqual([]);
  });

  it("commits nothing a heartbeat says: the leader's idea of its log predates the loss", () => {
    const wiped = new RawNode({ id: 'b', random: () => 0.5 }, { hardState: { term: 0, vote: '', commit: 0, store: 'store-b2' } });
    // A deposed leader of term 1 gives it entries the cluster never committed...
    const stale = [
      { term: 1, index: 1, type: 'normal', data: text('x') },
      { term: 1, index: 2, type: 'normal', data: text('never committed') },
    ] as const;
    wiped.step({ type: 'app', from: 'c', to: 'b', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: stale, commit: 1 });
    // ...and the real leader, which counts b as holding its own index 2, says 2 is committed.
    wiped.step({ type: 'heartbeat', from: 'a', to: 'b', term: 2, commit: 2, context: new Uint8Array(0) });
    expect(wiped.status().commit).toBe(1);
  });

  it('makes the leader probe it from its hint when it refuses an entry it had acknowledged, with no storm of retries', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    for (let i = 0; i < 5; i++) net.propose('a', `e${i}`);
    net.crash('b');
    net.addFromDisk('b', { hardState: { term: 0, vote: '', commit: 0 }, entries: [] }, { ...bound, stores: undefined });
    net.log = [];
    net.propose('a', 'e5'); // stabilize() would throw if the leader resent the refused entry forever
    net.tickAll(3);
    expect(net.node('b').applied).toEqual(net.node('a').applied);
    expect(net.log.filter((m) => m.type === 'app' && m.to === 'b').length).toBeLessThan(20);
  });
});

describe('fences on what moves a node', () => {
  it('a forwarded proposal is taken only in the term it was forwarded in (a late copy is refused)', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.campaign('a'); // term 2
    const term = net.core('a').status().term;
    const stale = { type: 'prop', from: 'b', to: 'a', term: term - 1, entries: [{ term: 0, index: 0, type: 'normal', data: text('late') }] } as const;
    expect(net.core('a').step(stale)?.reason).toBe('staleTerm');
    net.stabilize();
    expect(net.node('a').applied).toEqual([]);
  });

  it('one message from a non-member with the largest term moves no term, and elections go on', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    for (const id of ['a', 'b', 'c']) {
      const bomb = { type: 'heartbeat', from: 'evil', to: id, term: Number.MAX_SAFE_INTEGER, commit: 0, context: new Uint8Array(0) } as const;
      expect(net.core(id).step(bomb)?.reason).toBe('impossibleField');
    }
    const member = { type: 'heartbeat', from: 'a', to: 'b', term: 2 ** 20 + 2, commit: 0, context: new Uint8Array(0) } as const;
    expect(net.core('b').step(member)?.reason).toBe('impossibleField');
    expect(net.core('b').status().term).toBe(1);
    net.isolate('a');
    net.tickAll(40);
    expect(net.core(net.leader()!).status().term).toBeLessThan(10);
  });

  it('thesis §6.4.1: a voter restarted with a term ignores vote requests for an election timeout (a lease may count on it)', () => {
    const net = new Network(['a', 'b', 'c'], { readOnly: 'lease', checkQuorum: true, preVote: false });
    net.campaign('a');
    net.propose('a', 'x');
    net.crash('b');
    net.restart('b');
    net.isolate('a');
    net.campaign('c'); // b answered a just before its restart: a's lease still counts on it
    expect(net.core('c').status().role).not.toBe('leader');
    net.core('a').readIndex(text('lease'));
    net.stabilize();
    expect(net.node('a').readStates).toEqual([{ index: 2, context: 'lease' }]);
    net.tickAll(30); // once its election timeout has passed without a leader, b votes again
    expect(net.leader()).not.toBe('a');
  });

  it('a chunked snapshot resumes only with the leader and term that started it', () => {
    const net = new Network(['f'], {}, { voters: ['x', 'y', 'f'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });
    const f = net.core('f');
    const meta = { index: 10, term: 1, conf: { voters: ['x', 'y', 'f'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } };
    const chunk = (from: string, term: number, offset: number, data: number[], done: boolean): Message => ({
      type: 'snap',
      from,
      to: 'f',
      term,
      meta,
      offset,
      data: new Uint8Array(data),
      done,
      totalBytes: 8,
    });
    expect(f.step(chunk('x', 2, 0, [1, 1, 1, 1], false))).toBeUndefined();
    // y leads term 3 and sends its own image of the same index: its second half must not complete x's first.
    expect(f.step(chunk('y', 3, 4, [9, 9, 9, 9], true))).toBeUndefined();
    const rd = f.ready();
    expect(rd.snapshot).toBeUndefined();
    expect(rd.messages.concat(rd.messagesAfterPersist)).toContainEqual(expect.objectContaining({ type: 'snapResp', to: 'y', reject: true }));
  });

  it('§5.2: a candidate asks for votes before its own vote is durable, and that is safe: it counts itself only once durable', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false });
    net.node('a').autoPersist = false;
    net.campaign('a'); // the vote requests left at once; b granted
    expect(net.log.filter((m) => m.type === 'vote' && m.from === 'a')).toHaveLength(2);
    expect(net.core('a').status().role).toBe('candidate');
    net.crash('a'); // a forgets term 1 and its vote for itself
    net.restart('a');
    net.node('a').autoPersist = true;
    net.isolate('b');
    net.campaign('c'); // a, back in term 0, votes for c
    expect(net.core('c').status().role).toBe('leader');
    // a never acted as the leader of term 1, whose votes it had: every term has one leader.
    expect(net.log.some((m) => m.type === 'app' && m.from === 'a')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { Network, text } from './network.ts';
import type { Message } from '../../src/raft/types.ts';

function leaderCluster(): Network {
  const net = new Network(['a', 'b', 'c']);
  net.campaign('a');
  net.propose('a', 'x');
  return net;
}

const base = { from: 'a', to: 'b', term: 1 } as const;

describe('step() input validation', () => {
  const cases: [string, Message | Record<string, unknown>, string][] = [
    ['unknown type', { ...base, type: 'bogus' }, 'unknownType'],
    // A higher term here must not move the core: membership requests belong to the driver.
    ['membership request', { ...base, term: 9, type: 'member', subject: 'a', nonce: Uint8Array.of(1), wish: 'voter' }, 'unknownType'],
    ['membership answer', { ...base, term: 9, type: 'memberResp', subject: 'b', nonce: Uint8Array.of(1), status: 'done', leader: '' }, 'unknownType'],
    ['wrong recipient', { ...base, to: 'z', type: 'heartbeat', commit: 0, context: new Uint8Array() }, 'wrongRecipient'],
    ['negative term', { ...base, term: -1, type: 'heartbeat', commit: 0, context: new Uint8Array() }, 'impossibleField'],
    ['fractional commit', { ...base, type: 'heartbeat', commit: 1.5, context: new Uint8Array() }, 'impossibleField'],
    ['context not bytes', { ...base, type: 'heartbeat', commit: 0, context: 'x' }, 'impossibleField'],
    ['from self', { ...base, from: 'b', type: 'heartbeat', commit: 0, context: new Uint8Array() }, 'impossibleField'],
    [
      'entries not contiguous',
      { ...base, type: 'app', prevLogIndex: 2, prevLogTerm: 1, commit: 0, entries: [{ term: 1, index: 4, type: 'normal', data: new Uint8Array() }] },
      'impossibleField',
    ],
    [
      'entry term above message term',
      { ...base, type: 'app', prevLogIndex: 2, prevLogTerm: 1, commit: 0, entries: [{ term: 2, index: 3, type: 'normal', data: new Uint8Array() }] },
      'impossibleField',
    ],
    [
      'entry terms decreasing',
      { ...base, type: 'app', prevLogIndex: 2, prevLogTerm: 1, commit: 0, entries: [{ term: 0, index: 3, type: 'normal', data: new Uint8Array() }] },
      'impossibleField',
    ],
    ['prevLogTerm above term', { ...base, type: 'app', prevLogIndex: 2, prevLogTerm: 5, commit: 0, entries: [] }, 'impossibleField'],
    ['vote from a stranger', { ...base, from: 'z', term: 9, type: 'vote', pre: false, lastLogIndex: 9, lastLogTerm: 9, transfer: true }, 'nonMember'],
    ['vote with lastLogTerm above term', { ...base, from: 'c', term: 2, type: 'vote', pre: false, lastLogIndex: 9, lastLogTerm: 9, transfer: true }, 'impossibleField'],
    ['prop from a stranger', { ...base, from: 'z', type: 'prop', entries: [{ term: 0, index: 0, type: 'normal', data: new Uint8Array() }] }, 'nonMember'],
    ['readIndex from a stranger', { ...base, from: 'z', type: 'readIndex', context: new Uint8Array([1]) }, 'nonMember'],
    [
      'snapshot chunk beyond totalBytes',
      {
        ...base,
        type: 'snap',
        meta: { index: 5, term: 1, conf: { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
        offset: 0,
        data: new Uint8Array(10),
        done: true,
        totalBytes: 5,
      },
      'impossibleField',
    ],
    ['stale term', { ...base, term: 0, type: 'heartbeat', commit: 0, context: new Uint8Array() }, 'staleTerm'],
  ];
  for (const [name, message, reason] of cases) {
    it(`refuses ${name} without changing state`, () => {
      const net = leaderCluster();
      const before = JSON.stringify(net.core('b').status());
      const hadReady = net.core('b').hasReady();
      const rejection = net.core('b').step(message as Message);
      expect(rejection?.reason).toBe(reason);
      expect(JSON.stringify(net.core('b').status())).toBe(before);
      if (reason !== 'staleTerm') expect(net.core('b').hasReady()).toBe(hadReady);
    });
  }

  it('a node that knows no configuration accepts app, heartbeat and snap from a leader', () => {
    const net = leaderCluster();
    const z = net.add('z');
    expect(z.core.step({ type: 'heartbeat', from: 'a', to: 'z', term: 1, commit: 0, context: new Uint8Array() })).toBeUndefined();
    expect(
      z.core.step({ type: 'app', from: 'a', to: 'z', term: 1, prevLogIndex: 0, prevLogTerm: 0, commit: 0, entries: [{ term: 1, index: 1, type: 'noop', data: new Uint8Array() }] }),
    ).toBeUndefined();
    expect(z.core.status().lastIndex).toBe(1);
  });

  it('a leader refuses an acknowledgement beyond its log', () => {
    const net = leaderCluster();
    const rej = net.core('a').step({ type: 'appResp', from: 'b', to: 'a', term: 1, index: 99, reject: false, hintIndex: 0, hintTerm: 0, storeTag: 0 });
    expect(rej?.reason).toBe('impossibleField');
    expect(net.core('a').status().commit).toBe(2);
  });

  it('a second leader in the same term is refused', () => {
    const net = leaderCluster();
    const rej = net.core('b').step({ type: 'heartbeat', from: 'c', to: 'b', term: 1, commit: 0, context: text('') });
    expect(rej?.reason).toBe('impossibleField');
  });

  it('malformed input never throws', () => {
    const net = leaderCluster();
    const junk: unknown[] = [
      null,
      42,
      { type: 'app', from: 'a', to: 'b', term: 1 },
      { type: 'snap', from: 'a', to: 'b', term: 1, meta: null },
      { type: 'prop', from: 'c', to: 'b', term: 1, entries: [null] },
      { type: 'vote', from: 'c', to: 'b', term: 1e300 },
      { type: 'app', from: 'a', to: 'b', term: 1, prevLogIndex: 0, prevLogTerm: 0, commit: 0, entries: [{ index: 1 }] },
    ];
    for (const j of junk) expect(() => net.core('b').step(j as Message)).not.toThrow();
  });
});

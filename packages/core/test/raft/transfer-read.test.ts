import { describe, expect, it } from 'vitest';
import { Network, str, text } from './network.ts';
import { RaftUsageError } from '../../src/raft/errors.ts';

describe('leadership transfer (thesis §3.10)', () => {
  it('the leader catches the target up and hands over with timeoutNow', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.isolate('c');
    net.propose('a', 'x');
    net.heal();
    net.core('a').transferLeadership('c');
    expect(net.core('a').status().leadTransferee).toBe('c');
    expect(net.core('a').propose(text('y'))).toMatchObject({ ok: false, reason: 'transferring' });
    net.stabilize();
    expect(net.core('c').status().role).toBe('leader');
    expect(net.core('a').status().lead).toBe('c');
    expect(net.log.some((m) => m.type === 'timeoutNow' && m.to === 'c')).toBe(true);
    expect(net.log.some((m) => m.type === 'vote' && m.from === 'c' && m.transfer && !m.pre)).toBe(true);
  });

  it('a transfer that cannot finish is abandoned after an election timeout', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.isolate('c');
    net.core('a').transferLeadership('c');
    net.stabilize();
    expect(net.core('a').status().leadTransferee).toBe('c');
    for (let i = 0; i < 10; i++) {
      net.tick('a');
      net.stabilize();
    }
    expect(net.core('a').status().leadTransferee).toBe('');
    expect(net.core('a').propose(text('y')).ok).toBe(true);
  });

  it('thesis §3.10: a follower forwards a transfer request to the leader', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.core('b').transferLeadership('b');
    net.stabilize();
    expect(net.core('b').status().role).toBe('leader');
  });
});

describe('ReadIndex (thesis §6.4)', () => {
  it('safe: the leader answers after a quorum acknowledges a heartbeat round', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.propose('a', 'x');
    net.isolate('b');
    net.isolate('c');
    net.core('a').readIndex(text('r1'));
    net.stabilize();
    expect(net.node('a').readStates).toEqual([]);
    net.heal();
    net.tickAll(1);
    expect(net.node('a').readStates).toEqual([{ index: 2, context: 'r1' }]);
  });

  it('safe: a follower forwards the request and gets the leader commit index', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.propose('a', 'x');
    net.core('c').readIndex(text('r2'));
    net.stabilize();
    expect(net.node('c').readStates).toEqual([{ index: 2, context: 'r2' }]);
  });

  it('thesis §6.4: a new leader defers reads until it commits an entry of its term', () => {
    const net = new Network(['a', 'b', 'c']);
    net.filters.push((m) => m.type !== 'appResp');
    net.campaign('a');
    expect(net.core('a').status().role).toBe('leader');
    net.core('a').readIndex(text('r3'));
    net.tickAll(3);
    expect(net.node('a').readStates).toEqual([]);
    net.heal();
    net.tickAll(2);
    expect(net.node('a').readStates).toEqual([{ index: 1, context: 'r3' }]);
  });

  it('thesis §6.4.1 lease: the leader answers at once', () => {
    const net = new Network(['a', 'b', 'c'], { readOnly: 'lease' });
    net.campaign('a');
    net.isolate('b');
    net.isolate('c');
    net.core('a').readIndex(text('r4'));
    net.stabilize();
    expect(net.node('a').readStates).toEqual([{ index: 1, context: 'r4' }]);
  });

  it('thesis §6.4.1: the lease runs out an election timeout after the last answers', () => {
    const net = new Network(['a', 'b', 'c'], { readOnly: 'lease', heartbeatTicks: 3 });
    net.campaign('a');
    net.isolate('a');
    for (let i = 0; i < 8; i++) net.tick('a');
    net.core('a').readIndex(text('early'));
    net.stabilize();
    expect(net.node('a').readStates).toEqual([{ index: 1, context: 'early' }]);
    net.tick('a');
    net.log = [];
    net.core('a').readIndex(text('late'));
    net.stabilize();
    // Past the lease: only a heartbeat round could confirm it, and that cannot succeed.
    expect(net.node('a').readStates).toHaveLength(1);
    expect(net.core('a').status().role).toBe('leader');
  });

  it('thesis §6.4.1: the lease runs from the sending of what was answered; a read round renews it', () => {
    const net = new Network(['a', 'b', 'c'], { readOnly: 'lease', heartbeatTicks: 3 });
    net.campaign('a');
    // Answers to plain heartbeats cannot tell which heartbeat they answer (one may have been
    // delayed for long), so an idle leader's lease lapses although its heartbeats are answered.
    net.tickAll(12);
    net.log = [];
    net.core('a').readIndex(text('r1'));
    net.stabilize();
    expect(net.log.some((m) => m.type === 'heartbeat' && str(m.context) === 'r1')).toBe(true);
    expect(net.node('a').readStates).toEqual([{ index: 1, context: 'r1' }]);
    // The round's answers prove the followers heard from us when it was sent: a lease again.
    net.isolate('a');
    net.core('a').readIndex(text('r2'));
    net.stabilize();
    expect(net.node('a').readStates).toEqual([
      { index: 1, context: 'r1' },
      { index: 1, context: 'r2' },
    ]);
  });

  it('an empty context is refused: acknowledgements could not be matched to the round', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    expect(() => net.core('a').readIndex(new Uint8Array(0))).toThrow(RaftUsageError);
    expect(() => net.core('b').readIndex(new Uint8Array(0))).toThrow(RaftUsageError);
    net.stabilize();
    expect(net.log.some((m) => m.type === 'readIndex' || (m.type === 'heartbeat' && m.context.byteLength > 0))).toBe(false);
    const forwarded = net.core('a').step({ type: 'readIndex', from: 'b', to: 'a', term: 1, context: new Uint8Array(0) });
    expect(forwarded?.reason).toBe('impossibleField');
  });

  it('a context already pending is refused, locally with an error and forwarded with a rejection', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.isolate('c');
    net.filters.push((m) => m.type !== 'heartbeatResp');
    net.core('a').readIndex(text('dup'));
    net.stabilize();
    expect(() => net.core('a').readIndex(text('dup'))).toThrow(RaftUsageError);
    net.core('b').readIndex(text('dup'));
    net.stabilize();
    expect(net.log.some((m) => m.type === 'readIndexResp' && m.to === 'b' && m.reject && str(m.context) === 'dup')).toBe(true);
    expect(net.node('b').readStates).toEqual([]);
    // The first request is still answered once its round completes.
    net.heal();
    net.tickAll(1);
    expect(net.node('a').readStates).toEqual([{ index: 1, context: 'dup' }]);
  });

  it('a context held until the new leader commits in its term is pending too', () => {
    const net = new Network(['a', 'b', 'c']);
    net.filters.push((m) => m.type !== 'appResp');
    net.campaign('a');
    expect(net.core('a').status().role).toBe('leader');
    net.core('a').readIndex(text('early'));
    expect(() => net.core('a').readIndex(text('early'))).toThrow(RaftUsageError);
    net.heal();
    net.tickAll(2);
    expect(net.node('a').readStates).toEqual([{ index: 1, context: 'early' }]);
  });

  it('thesis §3.10: after TimeoutNow the lease is void', () => {
    const net = new Network(['a', 'b', 'c'], { readOnly: 'lease' });
    net.campaign('a');
    net.filters.push((m) => m.type !== 'timeoutNow');
    net.core('a').transferLeadership('b');
    net.stabilize();
    expect(net.log.some((m) => m.type === 'app')).toBe(true);
    net.isolate('a');
    net.core('a').readIndex(text('r'));
    net.stabilize();
    expect(net.node('a').readStates).toEqual([]);
  });

  it('thesis §6.4: a deposed leader does not answer a safe read', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.isolate('a');
    net.core('a').readIndex(text('r5'));
    net.tickAll(25);
    expect(net.core('a').status().role).not.toBe('leader');
    net.heal();
    net.tickAll(30);
    expect(net.node('a').readStates).toEqual([]);
  });
});

describe('proposals', () => {
  it('§8: a follower forwards a proposal to the known leader', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    expect(net.core('b').propose(text('x'))).toEqual({ ok: true, forwardedTo: 'a' });
    net.stabilize();
    expect(net.node('c').applied).toEqual(['x']);
  });

  it("§8: without a leader a proposal is refused with reason 'noLeader'", () => {
    const net = new Network(['a', 'b', 'c']);
    expect(net.core('b').propose(text('x'))).toEqual({ ok: false, reason: 'noLeader', leader: '' });
  });

  it("§8: proposalsWithoutLeader 'reject' refuses with the leader hint", () => {
    const net = new Network(['a', 'b', 'c'], { proposalsWithoutLeader: 'reject' });
    net.campaign('a');
    expect(net.core('b').propose(text('x'))).toEqual({ ok: false, reason: 'notLeader', leader: 'a' });
  });

  it('§5.3: maxUncommittedEntriesSize bounds what a leader accepts', () => {
    const net = new Network(['a', 'b', 'c'], { maxUncommittedEntriesSize: 10 });
    net.campaign('a');
    net.isolate('a');
    expect(net.core('a').propose(new Uint8Array(6)).ok).toBe(true);
    expect(net.core('a').propose(new Uint8Array(6))).toMatchObject({ ok: false, reason: 'uncommittedLimit' });
    net.heal();
    net.tickAll(2);
    expect(net.core('a').propose(new Uint8Array(6)).ok).toBe(true);
  });

  it('§5.3: reportUnreachable moves a replicating follower back to probe', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.propose('a', 'x');
    expect(net.core('a').status().progress?.b?.state).toBe('replicate');
    net.core('a').reportUnreachable('b');
    expect(net.core('a').status().progress?.b?.state).toBe('probe');
  });
});

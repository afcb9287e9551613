import type { Message, Role } from '@webraft/core';
import { createMemoryNetwork } from '@webraft/core/testing';
import { describe, expect, it } from 'vitest';
import { ClusterModel, flightMs, offlineAfterMs } from '../src/live/cluster-model.ts';
import { ObservedTransport } from '../src/live/observed-transport.ts';
import type { NodeReport } from '../src/live/protocol.ts';

const report = (id: string, role: Role = 'follower'): NodeReport => ({
  id, role, term: 1, vote: '', lead: '', commit: 0, applied: 0, firstIndex: 1, lastIndex: 0, voters: ['a', 'b', 'c'],
  isolated: false, tail: [], transport: 'broadcast', messagesSent: 0, messagesReceived: 0,
});

describe('what a tab knows of the cluster', () => {
  it('shows each slot as empty, running, offline when silent, and crashed when told', () => {
    const m = new ClusterModel(['a', 'b', 'c']);
    m.hear({ type: 'report', slot: 'a', report: report('a', 'leader'), sent: [] }, 1000);
    m.hear({ type: 'report', slot: 'b', report: report('b'), sent: [] }, 1000);
    m.hear({ type: 'down', slot: 'b' }, 1100);
    expect(m.view(1200).map((s) => s.state)).toEqual(['running', 'crashed', 'empty']);
    expect(m.slot('a', 1000 + offlineAfterMs + 1).state).toBe('offline');
    m.hear({ type: 'report', slot: 'b', report: report('b'), sent: [] }, 1300);
    expect(m.slot('b', 1300).state).toBe('running');
  });

  it('animates each sent message for a fixed time, then forgets it', () => {
    const m = new ClusterModel(['a', 'b']);
    m.hear({ type: 'report', slot: 'a', report: report('a'), sent: [{ to: 'b', type: 'app', at: 5000 }] }, 5000);
    expect(m.flying(5000 + flightMs / 2)).toEqual([{ message: { to: 'b', type: 'app', at: 5000, from: 'a' }, progress: 0.5 }]);
    expect(m.flying(5000 + flightMs)).toEqual([]);
  });
});

describe('isolating a tab', () => {
  const heartbeat = (from: string, to: string): Message => ({ type: 'heartbeat', from, to, term: 1, commit: 0, context: new Uint8Array(0) });

  it('drops its Raft traffic both ways while isolated and counts what passes', async () => {
    const net = createMemoryNetwork();
    const a = new ObservedTransport(net.transport('a'));
    const b = net.transport('b');
    const atA: Message[] = [];
    const atB: Message[] = [];
    await a.start({ message: (m) => atA.push(m) });
    await b.start({ message: (m) => atB.push(m) });
    const settle = () => new Promise((r) => setTimeout(r, 10));

    a.isolated = true;
    a.send(heartbeat('a', 'b'));
    b.send(heartbeat('b', 'a'));
    await settle();
    expect([atA.length, atB.length, a.sent, a.received]).toEqual([0, 0, 0, 0]);

    a.isolated = false;
    a.send(heartbeat('a', 'b'));
    b.send(heartbeat('b', 'a'));
    await settle();
    expect([atA.length, atB.length, a.sent, a.received]).toEqual([1, 1, 1, 1]);
    expect(a.takeRecent().map((m) => `${m.type}>${m.to}`)).toEqual(['heartbeat>b']);
    expect(a.takeRecent()).toEqual([]);
  });
});

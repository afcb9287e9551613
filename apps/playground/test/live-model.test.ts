import { describe, expect, it } from 'vitest';
import { isolatingChannel } from '../src/live/isolation.ts';
import { leaderRow, parseGossip, silentAfterMs, TabsModel, type TabReport } from '../src/live/tabs-model.ts';

const report = (tab: string, over: Partial<TabReport> = {}): TabReport => ({
  tab, role: 'voter', slots: [1], leading: false, connected: true, term: 2, commit: 5, seq: 3, pendingWrites: 0, isolated: false, visible: true, ...over,
});
const info = (tab: string, slots: number[] = [], learner?: string) => ({ tab, slots, learner, visible: true, allocator: false });

describe('what a tab shows of the other tabs', () => {
  it('lists the tabs the store knows and the tabs heard from, each as it reports itself', () => {
    const m = new TabsModel();
    m.hear(report('a', { slots: [1, 2], leading: true }), 1000);
    m.hear(report('c', { role: 'learner', slots: [] }), 1000);
    const rows = m.rows({ tab: 'a', tabs: [info('a', [1, 2]), info('b', [3]), info('c', [], 't-c')] }, 1200);
    expect(rows.map((r) => [r.tab, r.state, r.me, r.silent])).toEqual([['a', 'leader', true, false], ['b', 'voter', false, true], ['c', 'learner', false, false]]);
    expect(leaderRow(rows)?.tab).toBe('a');
  });

  it('a closed tab disappears at once and for good, even while the store still lists it', () => {
    const m = new TabsModel();
    m.hear(report('a', { leading: true }), 1000);
    m.hear(report('b', { slots: [2] }), 1000);
    expect(m.gone('a')).toBe(true);
    expect(m.gone('a')).toBe(false);
    m.hear(report('a', { leading: true }), 1001);
    const rows = m.rows({ tab: 'b', tabs: [info('a', [1]), info('b', [2])] }, 1002);
    expect(rows.map((r) => r.tab)).toEqual(['b']);
    expect(leaderRow(rows)).toBeUndefined();
  });

  it('who leads is what a tab says of itself, not which tab runs the leader’s slot now', () => {
    const m = new TabsModel();
    // Slot s1 led in tab a; a closed and b took s1 over, restarting it as a follower.
    m.gone('a');
    m.hear(report('b', { slots: [1, 2], leading: false }), 1000);
    const rows = m.rows({ tab: 'b', tabs: [info('b', [1, 2])] }, 1000);
    expect(rows.map((r) => r.state)).toEqual(['voter']);
    expect(leaderRow(rows)).toBeUndefined();
  });

  it('a tab heard from only long ago and no longer listed is dropped; a listed one is shown as silent', () => {
    const m = new TabsModel();
    m.hear(report('a'), 1000);
    m.hear(report('b'), 1000);
    const later = 1000 + silentAfterMs + 1;
    const rows = m.rows({ tab: 'c', tabs: [info('b', [1]), info('c', [])] }, later);
    expect(rows.map((r) => [r.tab, r.silent])).toEqual([['b', true], ['c', true]]);
  });

  it('with two leaders reported (an isolated old one), the higher term is the leader', () => {
    const m = new TabsModel();
    m.hear(report('a', { leading: true, term: 3, isolated: true }), 1000);
    m.hear(report('b', { leading: true, term: 4, slots: [2] }), 1000);
    expect(leaderRow(m.rows({ tab: 'a', tabs: [] }, 1000))?.tab).toBe('b');
  });
});

describe('gossip from other tabs', () => {
  it('passes well-formed reports and drops anything else', () => {
    expect(parseGossip({ t: 'report', report: report('a') })).toEqual({ t: 'report', report: report('a') });
    expect(parseGossip({ t: 'bye', tab: 'a' })).toEqual({ t: 'bye', tab: 'a' });
    for (const bad of [null, 'x', { t: 'report' }, { t: 'report', report: { ...report('a'), slots: 'all' } }, { t: 'report', report: { ...report('a'), term: -1 } }, { t: 'report', report: { ...report('a'), leading: 'yes' } }, { t: 'hello' }, { t: 'nuke', tab: 'a' }]) {
      expect(parseGossip(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('isolating a tab', () => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('keeps Raft frames among this context’s channels while isolated, and passes everything once healed', async () => {
    const { Channel, setIsolated } = isolatingChannel(BroadcastChannel);
    const name = 'webraft:iso-test:node:s1';
    // This tab's channels go through the isolating class; "remote" ones stand for another tab's.
    const local = new Channel(name);
    const localSender = new Channel(name);
    const remote = new BroadcastChannel(name);
    const remoteSender = new BroadcastChannel(name);
    const seen: string[] = [];
    local.onmessage = (e) => seen.push(`local:${String(e.data)}`);
    remote.onmessage = (e) => seen.push(`remote:${String(e.data)}`);
    try {
      setIsolated(true);
      localSender.postMessage('from-here');
      remoteSender.postMessage('from-another-tab');
      await settle();
      // Nothing crosses between the two tabs; each tab's own traffic goes on.
      expect(seen.sort()).toEqual(['local:from-here', 'remote:from-another-tab']);
      seen.length = 0;
      setIsolated(false);
      localSender.postMessage('healed');
      remoteSender.postMessage('healed-too');
      await settle();
      expect(seen.sort()).toEqual(['local:healed', 'local:healed-too', 'remote:healed', 'remote:healed-too']);
    } finally {
      for (const c of [local, localSender, remote, remoteSender]) c.close();
    }
  });

  it('leaves other channels (the tabs saying who is open) alone', async () => {
    const { Channel, setIsolated } = isolatingChannel(BroadcastChannel);
    const mine = new Channel('webraft:iso-test:tabs');
    const theirs = new BroadcastChannel('webraft:iso-test:tabs');
    const seen: unknown[] = [];
    theirs.onmessage = (e) => seen.push(e.data);
    try {
      setIsolated(true);
      mine.postMessage('here');
      await settle();
      expect(seen).toEqual(['here']);
    } finally {
      mine.close();
      theirs.close();
    }
  });
});

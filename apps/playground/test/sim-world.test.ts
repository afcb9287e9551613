import { describe, expect, it } from 'vitest';
import { currentLeader, leaders, logsAgree, majorityMatch, maxCommit, nodeById } from '../src/teach/model/queries.ts';
import { Session } from '../src/teach/model/session.ts';
import { simWorld } from '../src/teach/sim-world.ts';

const session = (seed: number, nodes = 5) => Session.open(simWorld, { seed, nodes });

describe('the teaching world on @webraft/sim', () => {
  it('starts with every node a follower in term 0 that founds the cluster with the others, then runs its election timer', async () => {
    const s = await session(1);
    const f = s.frameAt(0);
    expect(f.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    for (const n of f.nodes) expect([n.role, n.term, n.member, n.timer]).toEqual(['follower', 0, false, undefined]);
    const asking = await s.reach(20);
    expect(asking.messages.length).toBeGreaterThan(0);
    for (const m of asking.messages) expect(m.type).toMatch(/^found(Resp)?$/);
    expect(asking.messages.find((m) => m.type === 'found')!.why).toMatch(/^Founding the cluster: /);
    const founded = await s.reach(150);
    for (const n of founded.nodes) {
      expect([n.role, n.term, n.member]).toEqual(['follower', 0, true]);
      expect(n.timer!.end).toBeGreaterThan(n.timer!.start);
    }
  });

  it('elects one leader, whose timer arc is gone, and commits its noop everywhere', async () => {
    const s = await session(2);
    const f = await s.reach(3000);
    expect(leaders(f)).toHaveLength(1);
    const leader = currentLeader(f)!;
    expect(leader.timer).toBeUndefined();
    expect(maxCommit(f)).toBeGreaterThanOrEqual(1);
    expect(logsAgree(f)).toBe(true);
    expect(s.eventsUntil(3000).some((e) => e.text.startsWith('became leader'))).toBe(true);
  });

  it('shows messages in flight with send and receive times from the simulator', async () => {
    const s = await session(3);
    await s.extendTo(2200);
    let t = 2000;
    while (s.frameAt(t).messages.length === 0 && t < 2200) t += 5;
    const f = s.frameAt(t);
    expect(f.messages.length).toBeGreaterThan(0);
    for (const m of f.messages) {
      expect(m.recvTime).toBeGreaterThan(m.sendTime);
      expect(m.summary).toContain(m.type);
    }
  });

  it('replicates a client request sent to a follower and labels the entry', async () => {
    const s = await session(4);
    const leader = currentLeader(await s.reach(3000))!;
    const follower = (await s.reach(3000)).nodes.find((n) => n.id !== leader.id)!;
    await s.act({ t: 3000, kind: 'request', node: follower.id });
    const f = await s.reach(4000);
    for (const n of f.nodes) expect(n.log.map((e) => e.label)).toContain('x=1');
    expect(logsAgree(f)).toBe(true);
  });

  it('after the leader crashes another is elected in a higher term', async () => {
    const s = await session(5);
    const old = currentLeader(await s.reach(3000))!;
    await s.act({ t: 3000, kind: 'crash', node: old.id });
    const f = await s.reach(6000);
    expect(nodeById(f, old.id)!.role).toBe('down');
    const next = currentLeader(f)!;
    expect(next.id).not.toBe(old.id);
    expect(next.term).toBeGreaterThan(old.term);
  });

  it('cuts links, drops a message in flight, partitions and heals', async () => {
    const s = await session(6);
    const f0 = await s.reach(3000);
    await s.act({ t: 3000, kind: 'cut', a: 'n1', b: 'n2' });
    expect((await s.reach(3000)).cuts).toEqual(['n1|n2']);
    let t = 3100;
    while ((await s.reach(t)).messages.length === 0) t += 5;
    const victim = (await s.reach(t)).messages[0]!;
    await s.act({ t, kind: 'drop', msg: victim.id });
    expect((await s.reach(t)).messages.map((m) => m.id)).not.toContain(victim.id);
    expect((await s.reach(victim.recvTime + 1)).messages.map((m) => m.id)).not.toContain(victim.id);
    await s.act({ t: 3200, kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4', 'n5']] });
    expect((await s.reach(3200)).cuts).toHaveLength(6);
    await s.act({ t: 3300, kind: 'healAll' });
    expect((await s.reach(3300)).cuts).toEqual([]);
    expect(f0.nodes).toHaveLength(5);
  });

  it('adds and removes a server through a configuration change', async () => {
    const s = await session(7, 3);
    expect((await s.reach(2500)).nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    await s.act({ t: 2500, kind: 'addNode', node: 'n4' });
    let f = await s.reach(5000);
    expect(nodeById(f, 'n4')!.member).toBe(true);
    expect(nodeById(f, 'n4')!.commit).toBe(maxCommit(f));
    await s.act({ t: 5000, kind: 'removeNode', node: 'n1' });
    f = await s.reach(8000);
    expect(nodeById(f, 'n1')!.member).toBe(false);
    expect(currentLeader(f)).toBeDefined();
  });

  it('a snapshot compacts the log', async () => {
    const s = await session(8, 3);
    const leader = currentLeader(await s.reach(2500))!.id;
    for (let i = 0; i < 4; i++) await s.act({ t: 2500 + i * 100, kind: 'request', node: leader });
    await s.act({ t: 4000, kind: 'snapshot', node: leader });
    const node = nodeById((await s.reach(4500)), leader)!;
    expect(node.snapshotIndex).toBeGreaterThan(0);
  });

  it('transfers leadership and serves a read', async () => {
    const s = await session(9);
    const f = await s.reach(3000);
    const target = f.nodes.find((n) => n.role !== 'leader')!.id;
    await s.act({ t: 3000, kind: 'transfer', node: target });
    expect(currentLeader(await s.reach(4000))!.id).toBe(target);
    await s.act({ t: 4000, kind: 'read', node: target });
    await s.extendTo(4020);
    const readRound = [4000, 4005, 4010, 4015, 4020].some((t) => s.frameAt(t).messages.some((m) => m.summary.includes('+read')));
    expect(readRound).toBe(true);
  });

  it('is deterministic: the same seed and actions give the same frames', async () => {
    const a = await session(10);
    const b = await session(10);
    for (const s of [a, b]) {
      await s.act({ t: 1000, kind: 'request', node: 'n2' });
      await s.act({ t: 1500, kind: 'crash', node: 'n1' });
    }
    for (const t of [0, 500, 1000, 1700, 4000]) expect(JSON.stringify(await a.reach(t))).toBe(JSON.stringify(await b.reach(t)));
  });
});

describe('the event log of the teaching world', () => {
  it('says when the node a client wrote through applied the command and answered', async () => {
    const s = await session(11);
    const leader = currentLeader(await s.reach(3000))!;
    const follower = (await s.reach(3000)).nodes.find((n) => n.id !== leader.id)!;
    await s.act({ t: 3000, kind: 'request', node: follower.id });
    await s.extendTo(4000);
    const answer = s.eventsUntil(4000).find((e) => e.kind === 'client');
    expect(answer).toMatchObject({ node: follower.id, text: expect.stringMatching(/^applied x=1 \(index \d+\) and answered the client$/) });
    expect(answer!.time).toBeGreaterThan(3000);
  });
});

describe('rules and the leader’s view', () => {
  it('classic Raft has no pre-candidates, and with the same seed PreVote has them', async () => {
    const roles = async (classic: boolean) => {
      const s = await Session.open(simWorld, { seed: 12, nodes: 5, classic });
      await s.extendTo(3000);
      const seen = new Set<string>();
      for (let t = 0; t <= 3000; t += 5) for (const n of s.frameAt(t).nodes) seen.add(n.role);
      return seen;
    };
    const classic = await roles(true);
    expect(classic.has('preCandidate')).toBe(false);
    expect(classic.has('candidate')).toBe(true);
    expect((await roles(false)).has('preCandidate')).toBe(true);
  });

  it('a leader shows nextIndex and matchIndex for every other member, and only a leader does', async () => {
    const s = await session(13);
    const leader = currentLeader(await s.reach(3000))!;
    await s.act({ t: 3000, kind: 'request', node: leader.id });
    const f = await s.reach(3500);
    const view = nodeById(f, leader.id)!.progress!;
    expect(Object.keys(view).sort()).toEqual(f.nodes.map((n) => n.id).filter((id) => id !== leader.id).sort());
    for (const p of Object.values(view)) expect(p).toEqual({ match: maxCommit(f), next: maxCommit(f) + 1 });
    for (const n of f.nodes.filter((v) => v.id !== leader.id)) expect(n.progress).toBeUndefined();
    expect(majorityMatch(f, nodeById(f, leader.id)!)).toBe(maxCommit(f));
  });
});

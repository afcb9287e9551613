import { describe, expect, it } from 'vitest';
import { currentLeader, leaders, liveNodes, logsAgree, nodeById } from '../src/teach/model/queries.ts';
import { scenarioById, scenarios } from '../src/teach/scenarios.ts';
import { play } from './play-scenario.ts';

const byId = (id: string) => scenarioById(id)!;

describe('guided scenarios play out as their text says', async () => {
  it('every scenario reaches its last step with a single leader and agreeing logs', async () => {
    for (const s of scenarios) {
      const { frames } = await play(s);
      const last = frames[frames.length - 1]!;
      expect(leaders(last).length, s.id).toBeGreaterThanOrEqual(1);
      if (s.id !== 'split-vote' && s.id !== 'election') expect(logsAgree(last), s.id).toBe(true);
    }
  });

  it('election: a leader is elected and commits its noop on every server', async () => {
    const { frames } = await play(byId('election'));
    expect(frames[0]!.nodes.every((n) => n.role === 'follower' && n.term === 0)).toBe(true);
    expect(leaders(frames[1]!)).toHaveLength(1);
    expect(frames[2]!.nodes.every((n) => n.commit >= 1)).toBe(true);
  });

  it('split vote: two candidates of one term with two votes each, then a leader of a later term', async () => {
    const { frames } = await play(byId('split-vote'));
    expect(frames[0]!.nodes.every((n) => n.member && n.timer !== undefined)).toBe(true);
    const split = frames[2]!;
    const candidates = split.nodes.filter((n) => n.role === 'candidate');
    expect(candidates.map((n) => n.id)).toEqual(['n1', 'n3']);
    expect(candidates[0]!.term).toBe(candidates[1]!.term);
    expect(split.nodes.map((n) => n.vote)).toEqual(['n1', 'n1', 'n3', 'n3']);
    expect(leaders(split)).toHaveLength(0);
    const leader = currentLeader(frames[frames.length - 1]!)!;
    expect(leader.term).toBeGreaterThan(candidates[0]!.term);
  });

  it('stale leader: the old leader never commits its entry and it is overwritten after the heal', async () => {
    const { frames } = await play(byId('stale-leader'));
    const old = currentLeader(frames[1]!)!;
    const afterRequest = nodeById(frames[2]!, old.id)!;
    const uncommitted = afterRequest.log.filter((e) => e.index > afterRequest.commit);
    expect(uncommitted.length).toBeGreaterThan(0);
    const newLeader = currentLeader(frames[3]!)!;
    expect(newLeader.term).toBeGreaterThan(old.term);
    expect(nodeById(frames[4]!, old.id)!.commit).toBe(afterRequest.commit);
    const healed = nodeById(frames[frames.length - 1]!, old.id)!;
    expect(healed.role).toBe('follower');
    for (const e of uncommitted) expect(healed.log.find((x) => x.index === e.index)?.term).not.toBe(e.term);
  });

  it('log repair: before the heal the logs differ in length and terms, after it they agree', async () => {
    const { frames } = await play(byId('log-repair'));
    const before = frames[frames.length - 2]!;
    const shapes = new Set(before.nodes.map((n) => n.log.map((e) => e.term).join(',')));
    expect(shapes.size).toBeGreaterThanOrEqual(3);
    expect(logsAgree(frames[frames.length - 1]!)).toBe(true);
  });

  it('leader failure: a new leader in a higher term, the old one rejoins as follower', async () => {
    const { frames } = await play(byId('leader-failure'));
    const crashed = frames[2]!.nodes.find((n) => n.role === 'down')!;
    const last = frames[frames.length - 1]!;
    expect(nodeById(last, crashed.id)!.role).toBe('follower');
    expect(currentLeader(last)!.term).toBeGreaterThan(crashed.term);
    expect(liveNodes(last)).toHaveLength(5);
  });

  it('membership: N4 joins with the whole log, then N1 leaves', async () => {
    const { frames } = await play(byId('membership'));
    const joined = frames[1]!;
    expect(nodeById(joined, 'n4')!.member).toBe(true);
    const last = frames[2]!;
    expect(nodeById(last, 'n1')!.member).toBe(false);
    expect(currentLeader(last)!.id).not.toBe('n1');
  });
});

/**
 * The "why" texts against what the core then did: every vote answer and AppendEntries answer
 * on the wire says granted / refused exactly when the message does, the election timer of a
 * pre-candidate keeps running, and a learner's "time out now" on a healthy cluster explains
 * why the server got no further than pre-candidate.
 */
import { describe, expect, it } from 'vitest';
import { currentLeader, nodeById } from '../src/teach/model/queries.ts';
import { Session } from '../src/teach/model/session.ts';
import type { MessageView } from '../src/teach/model/types.ts';
import { scenarioById } from '../src/teach/scenarios.ts';
import { simWorld } from '../src/teach/sim-world.ts';
import { play } from './play-scenario.ts';

/** Every distinct message seen on the wire between 0 and `until` (simulated already), one frame per 5 ms. */
function messagesOf(session: Session, until: number): MessageView[] {
  const seen = new Map<number, MessageView>();
  for (let t = 0; t <= until; t += 5) for (const m of session.frameAt(t).messages) seen.set(m.id, m);
  return [...seen.values()];
}

describe('why a message was sent', () => {
  for (const classic of [false, true]) {
    it(`answers say granted or refused exactly when the message does (${classic ? 'classic' : 'PreVote and CheckQuorum'})`, async () => {
      // Log repair (Figure 7): stale entries on two servers, a lagging one, then a heal.
      const { session, time } = await play({ ...scenarioById('log-repair')!, classic });
      const messages = messagesOf(session, time);
      const votes = messages.filter((m) => m.type === 'voteResp');
      const appends = messages.filter((m) => m.type === 'appResp');
      expect(votes.length).toBeGreaterThan(4);
      expect(appends.some((m) => m.ok === false)).toBe(true);
      for (const m of votes) expect(m.why, m.summary).toMatch(m.ok ? /^(pre-vote|vote) granted: / : /^(pre-vote|vote) refused: /);
      for (const m of appends) {
        const stale = /newer than the sender's term/.test(m.why);
        expect(m.why, m.summary).toMatch(m.ok === false ? /^AppendEntries refused: no entry at index \d+ with term \d+ .*\(§5\.3\)/ : stale ? /§5\.1/ : /^AppendEntries accepted: /);
      }
      for (const m of messages) expect(m.why.length, m.summary).toBeGreaterThan(20);
    });
  }

  it('every event-log line says which rule acted, with its section', async () => {
    const session = await Session.open(simWorld, { seed: 8, nodes: 5 });
    const leader = currentLeader(await session.reach(2000))!;
    await session.act({ t: 2000, kind: 'crash', node: leader.id });
    await session.act({ t: 2500, kind: 'request', node: session.frameAt(2000).nodes.find((n) => n.id !== leader.id)!.id });
    await session.act({ t: 4000, kind: 'restart', node: leader.id });
    await session.extendTo(6000);
    const events = session.eventsUntil(6000);
    expect(events.length).toBeGreaterThan(10);
    for (const e of events) expect(e.why, e.text).toMatch(/§\d|Figure 2|retries on its own/);
  });
});

describe('a pre-candidate and a learner-triggered timeout', () => {
  it('a pre-candidate keeps a running election-timer arc', async () => {
    const session = await Session.open(simWorld, { seed: 3, nodes: 5 });
    await session.extendTo(3000);
    let found = false;
    for (let t = 0; t < 3000 && !found; t += 5) {
      for (const n of session.frameAt(t).nodes.filter((v) => v.role === 'preCandidate')) {
        found = true;
        expect(n.timer, `${n.id} at ${t}`).toBeDefined();
        expect(n.timer!.end, `${n.id} at ${t}`).toBeGreaterThan(t);
      }
    }
    expect(found).toBe(true);
  });

  it('"time out now" on a healthy cluster: pre-vote ignored because a leader was heard, and why it went back to follower', async () => {
    const session = await Session.open(simWorld, { seed: 4, nodes: 5 });
    const leader = currentLeader(await session.reach(3000))!;
    const follower = session.frameAt(3000).nodes.find((n) => n.role === 'follower')!;
    await session.act({ t: 3000, kind: 'timeout', node: follower.id });
    expect(nodeById(session.frameAt(3000), follower.id)!.role).toBe('preCandidate');
    await session.extendTo(3400);
    const events = session.eventsUntil(3400).filter((e) => e.time >= 3000);
    const ignored = events.filter((e) => e.text === `ignored ${follower.id.toUpperCase()}'s pre-vote`);
    expect(ignored.length).toBeGreaterThanOrEqual(3);
    for (const e of ignored.filter((v) => v.node !== leader.id)) {
      expect(e.why).toBe(`pre-vote ignored: ${e.node!.toUpperCase()} heard from leader ${leader.id.toUpperCase()} within the election timeout (thesis §9.6)`);
    }
    const back = events.find((e) => e.node === follower.id && e.text.startsWith('became follower'))!;
    expect(back.why).toContain(`heard from ${leader.id.toUpperCase()}, leader of term ${leader.term}`);
    expect(back.why).toContain('§9.6');
    expect(currentLeader(session.frameAt(3400))!.id).toBe(leader.id);
  });
});

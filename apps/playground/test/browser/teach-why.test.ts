/**
 * What the page explains and shows of Raft's rules: the why of messages and event-log lines,
 * a pre-candidate's timer, "time out now" on a healthy cluster, the classic Raft switch, and
 * the leader's view on the log table with a readable snapshot cell.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentLeader } from '../../src/teach/model/queries.ts';
import { Session } from '../../src/teach/model/session.ts';
import { simWorld } from '../../src/teach/sim-world.ts';
import { startHarness, type Harness } from './harness.ts';
import { openTeach, scrubTo } from './teach-page.ts';

/** The first frame time at or after `from` where `pick` finds a node, computed here from the same model. */
async function firstWhere(seed: number, nodes: number, pick: (frame: import('../../src/teach/model/types.ts').Frame) => string | undefined, from = 0, until = 5000) {
  const session = await Session.open(simWorld, { seed, nodes });
  await session.extendTo(until);
  for (let t = from; t <= until; t += 5) {
    const id = pick(session.frameAt(t));
    if (id !== undefined) return { t, id };
  }
  throw new Error(`seed ${seed}: nothing found before ${until} ms`);
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function whyOfEvent(page: Page, text: string, node: string): Promise<string> {
  const line = page.locator('#events button.ev-line', { hasText: text }).filter({ hasText: node.toUpperCase() }).first();
  await line.click();
  return (await page.textContent('#why-text'))!;
}

describe('why, and what Raft keeps', () => {
  it('a pre-candidate keeps its election-timer arc', async () => {
    // The first server to time out is a pre-candidate for a moment (where, the model says).
    const { t, id } = await firstWhere(3, 5, (f) => f.nodes.find((n) => n.role === 'preCandidate')?.id);
    const { page, errors } = await openTeach(h, `#seed=3&nodes=5&t=${t}`);
    const arc = await page.getAttribute(`#cluster g.node[data-node="${id}"][data-role="preCandidate"] path.timer-arc`, 'd');
    expect(arc).toMatch(/^M .* A /);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('"time out now" on a healthy cluster: the event log says why the server did not become candidate', async () => {
    // Seed 4: a leader from well before 3 s; one follower told to time out, another one answers it.
    const { id: leader } = await firstWhere(4, 5, (f) => currentLeader(f)?.id, 3000, 3000);
    const [follower, other] = ['n1', 'n2', 'n3', 'n4', 'n5'].filter((n) => n !== leader) as [string, string];
    const [F, O, L] = [follower, other, leader].map((n) => n.toUpperCase());
    const { page, errors } = await openTeach(h, `#seed=4&nodes=5&actions=3000.timeout.${follower}&t=3400`);
    expect(await page.getAttribute(`#cluster g.node[data-node="${follower}"]`, 'data-role')).toBe('follower');
    const became = await whyOfEvent(page, 'became pre-candidate', follower);
    expect(became).toContain(`You told ${F} to time out now`);
    expect(became).toContain('§9.6');
    const ignored = await whyOfEvent(page, `ignored ${F}'s pre-vote`, other);
    expect(ignored).toBe(`pre-vote ignored: ${O} heard from leader ${L} within the election timeout (thesis §9.6)`);
    const back = await whyOfEvent(page, 'became follower', follower);
    expect(back).toContain(`heard from ${L}, leader of term`);
    expect(await page.getAttribute(`#cluster g.node[data-node="${leader}"]`, 'data-role')).toBe('leader');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a message in flight says which rule sent it', async () => {
    const { page, errors } = await openTeach(h, '#seed=4&nodes=5&t=3000');
    let message = await page.$('#cluster g.message');
    for (let t = 3000; message === null && t < 3100; t += 5) {
      await scrubTo(page, t);
      message = await page.$('#cluster g.message');
    }
    await message!.click();
    const why = (await page.textContent('#why-text'))!;
    expect(why).toMatch(/\((thesis )?§\d/);
    expect(await page.getAttribute('#cluster g.message.selected', 'data-msg')).toBe(await message!.getAttribute('data-msg'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('classic Raft: a cut-off follower raises its term, and the switch replays the same run with PreVote', async () => {
    // Seed 23, five servers: a leader in term 1 by 600 ms; a follower is cut off from then on.
    const { id: leader } = await firstWhere(23, 5, (f) => currentLeader(f)?.id, 600, 600);
    const lonely = leader === 'n1' ? 'n2' : 'n1';
    const rest = ['n1', 'n2', 'n3', 'n4', 'n5'].filter((n) => n !== lonely).join('+');
    const hash = `#seed=23&nodes=5&actions=600.partition.${lonely}.${rest}&t=1600`;
    const { page, errors } = await openTeach(h, `${hash}&raft=classic`);
    expect(await page.isChecked('#classic')).toBe(true);
    const term = (id: string) => page.getAttribute(`#cluster g.node[data-node="${id}"]`, 'data-term').then(Number);
    expect(await term(lonely)).toBeGreaterThanOrEqual(3);
    expect(await term(leader)).toBe(1);
    const why = await whyOfEvent(page, 'moved to term', lonely);
    expect(why).toContain('Without PreVote');
    await page.uncheck('#classic');
    await expect.poll(() => new URL(page.url()).hash).not.toContain('raft=classic');
    await page.waitForFunction(() => document.body.dataset.busy === 'false');
    expect(await term(lonely)).toBe(1);
    expect(await page.getAttribute(`#cluster g.node[data-node="${lonely}"]`, 'data-role')).toMatch(/follower|preCandidate/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the log table shows the leader’s nextIndex and matchIndex, the majority line, and a compacted prefix as one readable cell', async () => {
    // Seed 5, three servers: four writes to the leader after the founding configuration, then it
    // takes a snapshot at index 5 and keeps the last two entries (RaftNode's snapshotKeepEntries).
    const { id: leader } = await firstWhere(5, 3, (f) => currentLeader(f)?.id, 1000, 1000);
    const actions = [1000, 1050, 1100, 1150].map((t) => `${t}.request.${leader}`).concat(`1500.snapshot.${leader}`).join('~');
    const { page, errors } = await openTeach(h, `#seed=5&nodes=3&actions=${actions}&t=1600`);
    const peer = await page.$$eval('table.logs tr[data-node] th small.peer', (els) => els.map((e) => e.textContent));
    expect(peer).toEqual(['match 5 · next 6', 'match 5 · next 6']);
    expect(await page.textContent('table.logs thead th.majority')).toBe('5');
    const snap = page.locator(`table.logs tr[data-node="${leader}"] td.cell.snap`);
    expect(await snap.textContent()).toBe('snapshot 1–3');
    expect(await snap.getAttribute('colspan')).toBe('3');
    expect(await page.$$eval('table.logs td.cell', (els) => els.filter((e) => e.textContent?.includes('⧉')).length)).toBe(0);
    expect(await page.textContent('table.logs caption')).toContain('a majority stores up to index 5');
    expect(errors).toEqual([]);
    await page.close();
  });
});

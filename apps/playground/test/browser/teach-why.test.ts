/**
 * What the page explains and shows of Raft's rules: the why of messages and event-log lines,
 * a pre-candidate's timer, "time out now" on a healthy cluster, the classic Raft switch, and
 * the leader's view on the log table with a readable snapshot cell.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { openTeach, scrubTo } from './teach-page.ts';

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
    // Seed 3: n2 is the first to time out and is a pre-candidate at 215 ms.
    const { page, errors } = await openTeach(h, '#seed=3&nodes=5&t=220');
    const arc = await page.getAttribute('#cluster g.node[data-node="n2"][data-role="preCandidate"] path.timer-arc', 'd');
    expect(arc).toMatch(/^M .* A /);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('"time out now" on a healthy cluster: the event log says why the server did not become candidate', async () => {
    // Seed 4: n2 leads from well before 3 s; n1 is a follower.
    const { page, errors } = await openTeach(h, '#seed=4&nodes=5&actions=3000.timeout.n1&t=3400');
    expect(await page.getAttribute('#cluster g.node[data-node="n1"]', 'data-role')).toBe('follower');
    const became = await whyOfEvent(page, 'became pre-candidate', 'n1');
    expect(became).toContain('You told N1 to time out now');
    expect(became).toContain('§9.6');
    const ignored = await whyOfEvent(page, "ignored N1's pre-vote", 'n3');
    expect(ignored).toBe('pre-vote ignored: N3 heard from leader N2 within the election timeout (thesis §9.6)');
    const back = await whyOfEvent(page, 'became follower', 'n1');
    expect(back).toContain('heard from N2, leader of term');
    expect(await page.getAttribute('#cluster g.node[data-node="n2"]', 'data-role')).toBe('leader');
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
    // Seed 23, five servers: n3 leads in term 1 by 400 ms; n1 is cut off from 400 ms.
    const hash = '#seed=23&nodes=5&actions=400.partition.n1.n2+n3+n4+n5&t=1400';
    const { page, errors } = await openTeach(h, `${hash}&raft=classic`);
    expect(await page.isChecked('#classic')).toBe(true);
    const term = (id: string) => page.getAttribute(`#cluster g.node[data-node="${id}"]`, 'data-term').then(Number);
    expect(await term('n1')).toBeGreaterThanOrEqual(3);
    expect(await term('n3')).toBe(1);
    const why = await whyOfEvent(page, 'moved to term', 'n1');
    expect(why).toContain('Without PreVote');
    await page.uncheck('#classic');
    await expect.poll(() => new URL(page.url()).hash).not.toContain('raft=classic');
    expect(await term('n1')).toBe(1);
    expect(await page.getAttribute('#cluster g.node[data-node="n1"]', 'data-role')).toMatch(/follower|preCandidate/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the log table shows the leader’s nextIndex and matchIndex, the majority line, and a compacted prefix as one readable cell', async () => {
    // Seed 5, three servers: n2 leads; four writes after the founding configuration, then n2
    // takes a snapshot at index 5 and keeps the last two entries (RaftNode's snapshotKeepEntries).
    const actions = '1000.request.n2~1050.request.n2~1100.request.n2~1150.request.n2~1500.snapshot.n2';
    const { page, errors } = await openTeach(h, `#seed=5&nodes=3&actions=${actions}&t=1600`);
    const peer = await page.$$eval('table.logs tr[data-node] th small.peer', (els) => els.map((e) => e.textContent));
    expect(peer).toEqual(['match 5 · next 6', 'match 5 · next 6']);
    expect(await page.textContent('table.logs thead th.majority')).toBe('5');
    const snap = page.locator('table.logs tr[data-node="n2"] td.cell.snap');
    expect(await snap.textContent()).toBe('snapshot 1–3');
    expect(await snap.getAttribute('colspan')).toBe('3');
    expect(await page.$$eval('table.logs td.cell', (els) => els.filter((e) => e.textContent?.includes('⧉')).length)).toBe(0);
    expect(await page.textContent('table.logs caption')).toContain('a majority stores up to index 5');
    expect(errors).toEqual([]);
    await page.close();
  });
});

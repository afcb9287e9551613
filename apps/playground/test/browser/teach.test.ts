/**
 * Teaching mode in Chromium: what the page shows after a run given by URL, after clicks, and
 * after each guided scenario, compared with the same run computed here from the same model.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentLeader, nodeById } from '../../src/teach/model/queries.ts';
import { Session } from '../../src/teach/model/session.ts';
import type { Frame } from '../../src/teach/model/types.ts';
import { decodeRun, encodeRun } from '../../src/teach/model/url.ts';
import { scenarios } from '../../src/teach/scenarios.ts';
import { simWorld } from '../../src/teach/sim-world.ts';
import { play } from '../play-scenario.ts';
import { shot, startHarness, watchErrors, type Harness } from './harness.ts';

interface Shown {
  nodes: { id: string; role: string; term: number; member: boolean }[];
  logs: Record<string, string[]>;
  clock: string;
  hash: string;
}

async function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => ({
    nodes: [...document.querySelectorAll<SVGGElement>('#cluster g.node')].map((g) => ({
      id: g.dataset.node!,
      role: g.dataset.role!,
      term: Number(g.dataset.term),
      member: g.dataset.member === 'true',
    })),
    logs: Object.fromEntries(
      [...document.querySelectorAll<HTMLTableRowElement>('table.logs tbody tr')].map((tr) => [
        tr.dataset.node!,
        [...tr.querySelectorAll<HTMLElement>('td.cell[data-index]')].map((td) => `${td.dataset.index}:${td.querySelector('.t')!.textContent}`),
      ]),
    ),
    clock: document.getElementById('clock')!.textContent!,
    hash: location.hash,
  }));
}

function expected(frame: Frame): Pick<Shown, 'nodes' | 'logs'> {
  return {
    nodes: frame.nodes.map((n) => ({ id: n.id, role: n.role, term: n.term, member: n.member })),
    logs: Object.fromEntries(frame.nodes.map((n) => [n.id, n.log.map((e) => `${e.index}:${e.term}`)])),
  };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await h.browser.newPage({ viewport: { width: 1400, height: 950 } });
  const errors = watchErrors(page, 'teach');
  await page.goto(`${h.url}${hash}`);
  await page.waitForSelector('#cluster g.node');
  await page.waitForFunction(() => document.body.dataset.busy === 'false', undefined, { timeout: 60_000 });
  return { page, errors };
}

async function waitIdle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.playing === 'false' && document.body.dataset.busy === 'false', undefined, { timeout: 60_000 });
}

describe('teaching mode in the browser', () => {
  it('replays a run from the seed and actions in the URL exactly', async () => {
    const session = await Session.open(simWorld, { seed: 21, nodes: 5 });
    const leader = currentLeader(await session.reach(3000))!;
    const follower = session.frameAt(3000).nodes.find((n) => n.role === 'follower')!;
    await session.act({ t: 3000, kind: 'crash', node: leader.id });
    await session.act({ t: 3500, kind: 'request', node: follower.id });
    const want = await session.reach(6000);
    const { page, errors } = await open(encodeRun({ seed: 21, nodes: 5, actions: session.actions, time: 6000 }));
    const got = await shown(page);
    expect(got.clock).toBe('6.000 s');
    expect({ nodes: got.nodes, logs: got.logs }).toEqual(expected(want));
    expect(got.nodes.find((n) => n.id === leader.id)!.role).toBe('down');
    const leaders = got.nodes.filter((n) => n.role === 'leader');
    expect(leaders).toHaveLength(1);
    expect(leaders[0]!.term).toBeGreaterThan(leader.term);
    expect(Object.values(got.logs).some((log) => log.length >= 3)).toBe(true);
    await shot(page, 'teach-url-replay');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('clicks crash a leader, time plays on, scrubbing goes back, and the link replays it', async () => {
    const { page, errors } = await open('#seed=3&nodes=3');
    await page.selectOption('#speed', '3000');
    await page.click('#play');
    await page.waitForSelector('#cluster g.node[data-role="leader"]', { timeout: 60_000 });
    await page.click('#play');
    const leader = await page.getAttribute('#cluster g.node[data-role="leader"]', 'data-node');
    await page.click(`#cluster g.node[data-node="${leader}"] circle.body`);
    await expect.poll(() => page.textContent('#sel-name')).toBe(leader!.toUpperCase());
    await page.click('#node-actions button[data-act="crash"]');
    await page.waitForSelector(`#cluster g.node[data-node="${leader}"][data-role="down"]`);
    expect((await shown(page)).hash).toMatch(new RegExp(`actions=\\d+\\.crash\\.${leader}`));
    await page.click('#play');
    await page.waitForSelector(`#cluster g.node[data-role="leader"]:not([data-node="${leader}"])`, { timeout: 60_000 });
    await page.click('#play');
    await shot(page, 'teach-after-crash');
    await page.click('#step');
    while ((await page.$$('#cluster g.message')).length === 0) await page.click('#step');
    const msg = await page.getAttribute('#cluster g.message', 'data-msg');
    await page.click(`#cluster g.message[data-msg="${msg}"]`);
    await expect.poll(() => page.textContent('#why-title')).toContain(`message #${msg}`);
    expect((await page.textContent('#why-text'))!.length).toBeGreaterThan(30);
    await page.click('#drop-message');
    await page.waitForSelector(`#cluster g.message[data-msg="${msg}"]`, { state: 'detached' });
    expect((await shown(page)).hash).toContain(`.drop.${msg}`);
    const after = await shown(page);

    await page.$eval('#scrub', (el: HTMLInputElement) => {
      el.value = '0';
      el.dispatchEvent(new Event('input'));
    });
    const start = await shown(page);
    expect(start.nodes.map((n) => [n.role, n.term])).toEqual([['follower', 0], ['follower', 0], ['follower', 0]]);

    const again = await open(after.hash);
    const replayed = await shown(again.page);
    expect(replayed.nodes).toEqual(after.nodes);
    expect(replayed.logs).toEqual(after.logs);
    const run = decodeRun(after.hash);
    expect(replayed.nodes).toEqual(expected(await (await Session.open(simWorld, run)).reach(run.time)).nodes);
    expect([...errors, ...again.errors]).toEqual([]);
    await page.close();
    await again.page.close();
  });

  for (const scenario of scenarios) {
    it(`guided scenario "${scenario.title}" shows what the model computes`, async () => {
      const { page, errors } = await open('');
      await page.selectOption('#speed', '10000');
      await page.selectOption('#scenario', scenario.id);
      for (let step = 1; step < scenario.steps.length; step++) {
        await waitIdle(page);
        expect(await page.textContent('#step-count')).toContain(`step ${step} of ${scenario.steps.length}`);
        if (step === scenario.steps.length - 1) await shot(page, `scenario-${scenario.id}-before-last`);
        await page.click('#next-step');
      }
      await waitIdle(page);
      await shot(page, `scenario-${scenario.id}-end`);
      const got = await shown(page);
      const { session, time } = await play(scenario);
      expect(decodeRun(got.hash).actions).toEqual(session.actions);
      expect(got.clock).toBe(`${(time / 1000).toFixed(3)} s`);
      expect({ nodes: got.nodes, logs: got.logs }).toEqual(expected(session.frameAt(time)));
      expect(await page.textContent('#step-text')).toBe(scenario.steps[scenario.steps.length - 1]!.text);
      if (scenario.id === 'membership') {
        expect(got.nodes.find((n) => n.id === 'n4')!.member).toBe(true);
        expect(got.nodes.find((n) => n.id === 'n1')!.member).toBe(false);
        expect(nodeById(session.frameAt(time), 'n1')!.member).toBe(false);
      }
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});

/**
 * Narration bound to the timeline: pausing in the middle of a guided step keeps its stopping
 * point, the text follows rewinding and scrubbing, steps are marks on the slider with Back and
 * Next, and acting in the past asks before it drops the recorded future.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioById } from '../../src/teach/scenarios.ts';
import { play } from '../play-scenario.ts';
import { startHarness, type Harness } from './harness.ts';
import { actionsOf, clockMs, openTeach, scrubTo, waitIdle } from './teach-page.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('narration on the timeline', () => {
  it('pausing in the middle of a step and resuming stops at the step’s stopping point', async () => {
    const scenario = scenarioById('election')!;
    const stop = (await play(scenario, 2)).time;
    const { page, errors } = await openTeach(h, '');
    await page.selectOption('#speed', '250');
    await page.selectOption('#scenario', scenario.id);
    await waitIdle(page);
    await page.click('#next-step');
    await page.waitForFunction(() => document.body.dataset.playing === 'true');
    await page.waitForTimeout(200);
    await page.click('#play');
    const paused = await clockMs(page);
    expect(paused).toBeLessThan(stop);
    await page.selectOption('#speed', '1000');
    await page.click('#play');
    await waitIdle(page, 10_000);
    expect(await clockMs(page)).toBe(stop);
    expect(await page.textContent('#step-text')).toBe(scenario.steps[1]!.text);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('rewinding and scrubbing show the text of the step at that time; marks, Back and Next move between steps', async () => {
    const scenario = scenarioById('replication')!;
    const { page, errors } = await openTeach(h, '');
    await page.selectOption('#speed', '10000');
    await page.selectOption('#scenario', scenario.id);
    for (let step = 1; step < 4; step++) {
      await waitIdle(page);
      await page.click('#next-step');
    }
    await waitIdle(page);
    const text = () => page.textContent('#step-text');
    expect(await text()).toBe(scenario.steps[3]!.text);
    // Where each step stopped (and the next one began), as the model computes it.
    const starts = (await play(scenario)).stops;
    await page.click('#rewind');
    expect(await text()).toBe(scenario.steps[0]!.text);
    expect(await page.textContent('#step-count')).toContain('step 1 of 4');
    await scrubTo(page, starts[1]! + 1);
    expect(await text()).toBe(scenario.steps[2]!.text);

    const marks = await page.$$eval('#marks .mark', (els) => els.map((e) => e.getAttribute('aria-label')));
    expect(marks).toEqual(['Go to step 1', 'Go to step 2', 'Go to step 3', 'Go to step 4']);
    expect(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('marks')).toBe([0, ...starts.slice(0, 3)].join('~'));

    await page.click('#prev-step');
    expect(await clockMs(page)).toBe(starts[0]!);
    expect(await text()).toBe(scenario.steps[1]!.text);
    await page.click('#next-step');
    await waitIdle(page);
    expect(await clockMs(page)).toBe(starts[2]!);
    expect(await text()).toBe(scenario.steps[2]!.text);
    await page.click('#marks .mark[data-step="0"]');
    expect(await clockMs(page)).toBe(0);
    expect(await text()).toBe(scenario.steps[0]!.text);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('acting while scrubbed back asks before the recorded later actions are dropped', async () => {
    const { page, errors } = await openTeach(h, '#seed=3&nodes=3&actions=2000.request.n1~3000.request.n2&t=1000');
    await page.click('#cluster g.node[data-node="n3"] circle.body');
    await page.click('#node-actions button[data-act="crash"]');
    await page.waitForSelector('#confirm-drop[open]');
    expect(await page.textContent('#drop-list')).toContain('client request to N1');
    await page.click('#confirm-drop button[value="keep"]');
    await page.waitForSelector('#confirm-drop:not([open])', { state: 'attached' });
    expect(actionsOf(new URL(page.url()).hash)).toEqual(['2000.request.n1', '3000.request.n2']);
    expect(await page.getAttribute('#cluster g.node[data-node="n3"]', 'data-role')).not.toBe('down');

    await page.click('#node-actions button[data-act="crash"]');
    await page.waitForSelector('#confirm-drop[open]');
    await page.click('#confirm-drop button[value="drop"]');
    await page.waitForSelector('#cluster g.node[data-node="n3"][data-role="down"]');
    expect(actionsOf(new URL(page.url()).hash)).toEqual(['1000.crash.n3']);
    expect(errors).toEqual([]);
    await page.close();
  });
});

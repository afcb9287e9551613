/**
 * The picture and the page at every size: labels clear of servers and messages with six and
 * seven servers, a complete legend, a 390 px phone, a projector, and the dark theme.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, startHarness, type Harness } from './harness.ts';
import { boxes, openTeach, overlap, scrubTo, waitIdle } from './teach-page.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('layout', () => {
  for (const nodes of [6, 7]) {
    it(`with ${nodes} servers no server covers a label and no message sits on one`, async () => {
      const { page, errors } = await openTeach(h, `#seed=2&nodes=${nodes}&t=2500`);
      let messagesSeen = 0;
      for (let t = 100; t <= 2500; t += 40) {
        await scrubTo(page, t);
        const { bodies, labels, messages } = await boxes(page);
        expect(labels.length).toBeGreaterThanOrEqual(nodes);
        for (const label of labels) {
          for (const body of bodies) expect(overlap(label, body), `${t} ms: ${body.id} covers "${label.text}" of ${label.id}`).toBe(false);
          for (const m of messages) expect(overlap(label, m), `${t} ms: message #${m.id} on "${label.text}" of ${label.id}`).toBe(false);
        }
        messagesSeen += messages.length;
      }
      expect(messagesSeen).toBeGreaterThan(20);
      await shot(page, `teach-${nodes}-servers`);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('the legend names every role, message kind and log mark drawn', async () => {
    const { page } = await openTeach(h, '#seed=1&nodes=3');
    const legend = (await page.textContent('.legend'))!;
    for (const word of ['follower', 'pre-candidate', 'candidate', 'leader', 'crashed', 'election timer', 'vote', 'AppendEntries', 'heartbeat', 'snapshot', 'TimeoutNow', 'forwarded request', 'ReadIndex', 'response', 'rejected response', 'cut link', 'committed', 'matchIndex', 'nextIndex', 'majority']) {
      expect(legend, word).toContain(word);
    }
    await page.close();
  });

  it('fits a 390 px phone without sideways scrolling', async () => {
    const { page, errors } = await openTeach(h, '#seed=3&nodes=7&t=3000', { width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const svg = (await page.locator('#cluster').boundingBox())!;
    expect(svg.width).toBeGreaterThan(340);
    await page.selectOption('#speed', '10000');
    await page.selectOption('#scenario', 'log-repair');
    await waitIdle(page);
    await page.click('#next-step');
    await waitIdle(page);
    await page.click('#cluster g.node[data-node="n1"] circle.body');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'teach-390px');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a 1280×720 projector the whole picture and the timeline are on screen', async () => {
    const { page } = await openTeach(h, '#seed=3&nodes=5&t=3000', { width: 1280, height: 720 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    const svg = (await page.locator('#cluster').boundingBox())!;
    const timeline = (await page.locator('.timeline').boundingBox())!;
    expect(svg.y + svg.height).toBeLessThanOrEqual(720);
    expect(svg.height).toBeGreaterThan(300);
    expect(timeline.y).toBeLessThan(1000);
    await page.close();
  });

  it('follows a dark system preference, and the toggle switches theme', async () => {
    const { page, errors } = await openTeach(h, '#seed=3&nodes=5&t=3000', { colorScheme: 'dark' });
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const luminance = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number) as [number, number, number];
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    expect(luminance(await background())).toBeLessThan(0.2);
    await shot(page, 'teach-dark');
    await page.click('#theme');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(luminance(await background())).toBeGreaterThan(0.8);
    await page.click('#theme');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    await page.reload();
    await page.waitForSelector('#cluster g.node');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(luminance(await background())).toBeLessThan(0.2);
    expect(errors).toEqual([]);
    await page.close();
  });
});

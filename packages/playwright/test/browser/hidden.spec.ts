/**
 * A tab hidden for real, in a Chromium from `launchChromium` (a browser from `chromium.launch()`
 * never hides a tab): its page's timers are throttled, while the tab store's Worker keeps its
 * node in the cluster, so a write made elsewhere reaches it.
 */
// @ts-expect-error -- a plain .mjs module shared by every browser test, without types.
import { chromiumArgs, chromiumPath } from '../../../../tools/chromium.mjs';
import { expect, hide, launchChromium, show, TabNetwork, TabNotHiddenError, test } from '../../src/test.ts';

declare const todo: { add(text: string): Promise<void>; state(): { items: { text: string }[] } };

/** How often a 50 ms timer of the page fires per second, over `windowMs`. */
const timerRate = (windowMs: number) =>
  new Promise<number>((resolve) => {
    let fired = 0;
    const timer = setInterval(() => fired++, 50);
    setTimeout(() => {
      clearInterval(timer);
      resolve((fired * 1000) / windowMs);
    }, windowMs);
  });

test("a hidden tab's timers are throttled, and its store still hears every write", async ({ baseURL, page }) => {
  await expect(hide(page, 1000), 'chromium.launch() keeps every tab visible').rejects.toThrow(TabNotHiddenError);

  const chromium = await launchChromium({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const net = new TabNetwork(chromium.context);
    const tabs = await Promise.all([0, 1, 2].map(() => chromium.context.newPage()));
    for (const tab of tabs) await tab.goto(baseURL!);
    await net.waitForLeader(tabs);
    const [hidden, writer] = tabs as [(typeof tabs)[0], (typeof tabs)[0]];
    await hide(hidden);
    expect((await net.report(hidden)).visibility).toBe('hidden');
    expect(await hidden.evaluate(timerRate, 3000), 'timer firings per second when hidden (about one)').toBeLessThan(3);

    await writer.evaluate(() => todo.add('written while the other tab is hidden'));
    await expect.poll(() => hidden.evaluate(() => todo.state().items.map((item) => item.text))).toContain('written while the other tab is hidden');
    await show(hidden);
    expect(await hidden.evaluate(timerRate, 1000), 'timer firings per second when shown (up to 20)').toBeGreaterThan(6);
  } finally {
    await chromium.close();
  }
});

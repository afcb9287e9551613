/**
 * A hidden leader tab: background throttling is switched back on (the browser is launched
 * without Playwright's flags that turn it off), and the leader's page gets main-thread timers
 * that fire about once a second for E2E_HIDDEN_MS (default 60 s). The node lives in a Worker,
 * so the cluster keeps (or regains) a leader and keeps committing.
 *
 * Headless Chromium keeps every page visible — a covering tab, a background target or a
 * minimized window leave `document.visibilityState` at 'visible' — so the test throttles the
 * page itself by keeping its main thread busy 950 ms of every second, which is what Chromium's
 * one-second alignment of a hidden page's timers does to them, and measures that it took effect.
 */
import { expect, test } from './harness/fixtures.ts';
import { envMs, sleep } from './harness/wait.ts';

const hiddenMs = envMs('E2E_HIDDEN_MS', 60_000);
const windowMs = 5000;

test(`the leader's tab throttled for ${hiddenMs / 1000} s: the cluster keeps committing`, async ({ openCluster }, info) => {
  test.setTimeout(hiddenMs + 90_000);
  const cluster = await openCluster({ nodes: ['a', 'b', 'c'], throttling: true });
  const leader = await cluster.waitForLeader();
  await cluster.startWorkload();
  const page = cluster.tab(leader.id);
  const visibleRate = await page.evaluate(() => window.e2e.timerRate(50, 2000));
  await page.evaluate(() => window.e2e.starveMainThread(950, 1000));
  const throttledRate = await page.evaluate(() => window.e2e.timerRate(50, 3000));
  console.log(`leader ${leader.id}: a 50 ms main-thread timer fires ${visibleRate.toFixed(1)}/s before, ${throttledRate.toFixed(1)}/s while throttled`);
  expect(visibleRate).toBeGreaterThan(10);
  expect(throttledRate, "the page's main-thread timers are throttled").toBeLessThan(3);

  const others = [...cluster.tabs.keys()].filter((id) => id !== leader.id);
  const commitOf = async () => Math.max(...(await Promise.all(others.map((id) => cluster.status(id)))).map((s) => s!.commit));
  let last = await commitOf();
  const progress: number[] = [];
  for (let waited = 0; waited < hiddenMs; waited += windowMs) {
    await sleep(windowMs);
    const commit = await commitOf();
    progress.push(commit - last);
    expect(commit - last, `commits in the ${progress.length}. ${windowMs / 1000} s window`).toBeGreaterThan(0);
    last = commit;
  }
  const current = await cluster.waitForLeader();
  const throttledNode = (await cluster.status(leader.id))!;
  console.log(`commits per ${windowMs / 1000} s window while throttled: ${progress.join(', ')}; leader now ${current.id} (term ${current.term})`);
  expect(throttledNode.commit, "the throttled tab's node keeps up").toBeGreaterThan(last - 200);

  await page.evaluate(() => window.e2e.feedMainThread());
  await cluster.stopWorkload();
  await cluster.converged();
  await cluster.verify(info);
});

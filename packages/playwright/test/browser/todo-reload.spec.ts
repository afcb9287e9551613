import { expect, test } from '../../src/test.ts';

test('a tab reloaded while cut off stays cut off from its first instant, and catches up once healed', async ({ openTabs, net }) => {
  const tabs = await openTabs(3);
  for (const tab of tabs) await expect(tab.locator('#status')).toContainText(/votes \(slot \d\)/);
  const [a, b, c] = tabs as [(typeof tabs)[0], (typeof tabs)[0], (typeof tabs)[0]];
  const id = await net.tab(c);
  await net.isolate(c);
  await c.reload();
  await c.waitForFunction(() => window.__webraft !== undefined);
  const report = await net.report(c);
  expect(report.tab, 'the same tab after a reload').toBe(id);
  expect(report.faults, 'its faults, in the page and its Worker, without the runner').toBe(net.state.version);

  await a.fill('#text', 'after the reload');
  await a.press('#text', 'Enter');
  await expect(b.locator('#list li span')).toHaveText(['after the reload']);
  await expect.poll(async () => (await net.report(c)).counters.dropped, 'messages from the others dropped').toBeGreaterThan(0);
  await expect(c.locator('#list li')).toHaveCount(0);

  await net.heal();
  await expect(c.locator('#list li span')).toHaveText(['after the reload']);
});

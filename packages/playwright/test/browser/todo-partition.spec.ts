import { expect, test } from '@webraft/playwright/test';

test('a to-do list whose leader tab is cut off from the others', async ({ openTabs, net }) => {
  const tabs = await openTabs(3);
  // Three tabs: each runs one of the store's three voters.
  for (const tab of tabs) await expect(tab.locator('#status')).toContainText(/votes \(slot \d\)/);
  const { page: cutOff } = await net.waitForLeader(tabs);
  const [a, b] = tabs.filter((tab) => tab !== cutOff) as [typeof cutOff, typeof cutOff];

  await net.isolate(cutOff);
  await net.waitForLeader([a, b]);
  await a.fill('#text', 'added by the majority');
  await a.press('#text', 'Enter');
  await expect(b.locator('#list li span')).toHaveText(['added by the majority']);

  // The cut-off tab cannot save: its write waits, and it does not see the majority's.
  await cutOff.fill('#text', 'added while cut off');
  await cutOff.press('#text', 'Enter');
  await expect(cutOff.locator('#status')).toContainText('1 saving');
  await expect(cutOff.locator('#list li')).toHaveCount(0);

  await net.heal();
  for (const tab of tabs) {
    await expect(tab.locator('#list li span')).toHaveText(['added by the majority', 'added while cut off']);
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

describe('recovery in Chromium', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  }, 60_000);
  afterAll(async () => harness?.close());

  it('a reloaded page finds its hard state, snapshot and entries', async () => {
    const page = await harness.newPage();
    const name = `reload-${Date.now()}`;
    const written = await page.evaluate(async (name) => {
      const { helpers, testing } = globalThis.lib;
      const opened = await helpers.open('s', { name, nodeId: 'n1' });
      const { store } = helpers.get('s');
      await helpers.stream('s', 1, 4, 40);
      await store.write({ saveSnapshot: { meta: { index: 30, term: 1, conf: testing.sampleConfState }, data: new Uint8Array(3_000_000).fill(5) }, compactTo: 25 });
      await store.write({ hardState: { term: 2, vote: 'n3', commit: 38 } });
      return opened;
    }, name);
    expect(written).toMatchObject({ ok: true, empty: true });
    await page.reload();
    await page.waitForFunction(() => globalThis.lib !== undefined);
    const state = await page.evaluate(async (name) => {
      const { helpers } = globalThis.lib;
      const opened = await helpers.open('s', { name, nodeId: 'n1' });
      const { store } = helpers.get('s');
      const snapshot = (await store.load()).snapshot;
      const stored = await store.entries(1, 100);
      return {
        opened,
        snapshotBytes: snapshot?.data.byteLength,
        snapshotOk: snapshot?.data.every((b) => b === 5),
        storedFirst: stored[0]?.index,
      };
    }, name);
    expect(state.opened).toMatchObject({
      ok: true,
      empty: false,
      hardState: { term: 2, vote: 'n3', commit: 38 },
      snapshotIndex: 30,
      first: 31,
      last: 40,
      allValid: true,
      contiguous: true,
    });
    expect(state).toMatchObject({ snapshotBytes: 3_000_000, snapshotOk: true, storedFirst: 26 });
    await page.close();
  }, 60_000);

  it('every acknowledged entry survives closing or crashing the tab mid-stream (20 rounds)', async () => {
    const name = `stream-${Date.now()}`;
    let expectedNext = 1;
    for (let round = 0; round < 20; round++) {
      const page = await harness.newPage();
      let acked = 0;
      await page.exposeFunction('acked', (index: number) => {
        acked = Math.max(acked, index);
      });
      const opened = await page.evaluate(
        (name) => globalThis.lib.helpers.open('s', { name, nodeId: 'n1', onLocked: 'wait' }),
        name,
      );
      expect(opened, `round ${round}`).toMatchObject({ ok: true, allValid: true, contiguous: true });
      if (opened.ok) {
        // Every write acknowledged in an earlier round is there, and nothing beyond what was issued.
        expect(opened.last, `round ${round}: last index after reopening`).toBeGreaterThanOrEqual(expectedNext - 1);
        expectedNext = opened.last + 1;
      }
      void page.evaluate((from) => globalThis.lib.helpers.stream('s', from, 8), expectedNext).catch(() => undefined);
      const started = Date.now();
      while (acked < expectedNext && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, (round * 37) % 120));
      const ackedBeforeKill = acked;
      if (round % 2 === 0) {
        await page.close();
      } else {
        // The renderer dies at once; the CDP call itself never gets an answer.
        const cdp = await page.context().newCDPSession(page);
        const crashed = page.waitForEvent('crash', { timeout: 3_000 }).catch(() => undefined);
        void cdp.send('Page.crash').catch(() => undefined);
        await crashed;
        await page.close();
      }
      expect(ackedBeforeKill, `round ${round}: the stream made progress`).toBeGreaterThanOrEqual(expectedNext);
      expectedNext = Math.max(expectedNext, acked + 1);
    }
    const page = await harness.newPage();
    const final = await page.evaluate((name) => globalThis.lib.helpers.open('s', { name, nodeId: 'n1', onLocked: 'wait' }), name);
    expect(final).toMatchObject({ ok: true, first: 1, allValid: true, contiguous: true });
    if (final.ok) expect(final.last).toBeGreaterThanOrEqual(expectedNext - 1);
    await page.close();
  }, 180_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

describe('ownership and failures in Chromium', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  }, 60_000);
  afterAll(async () => harness?.close());

  it('two tabs contending for one store: StoreLockedError, or wait until the owner goes away', async () => {
    const name = `contend-${Date.now()}`;
    const [owner, second, third] = await Promise.all([harness.newPage(), harness.newPage(), harness.newPage()]);
    const opened = await owner.evaluate(async (name) => {
      const { helpers } = globalThis.lib;
      const result = await helpers.open('s', { name, nodeId: 'n1' });
      await helpers.stream('s', 1, 4, 25);
      return result;
    }, name);
    expect(opened).toMatchObject({ ok: true });
    const refused = await second.evaluate((name) => globalThis.lib.helpers.open('s', { name, nodeId: 'n1' }), name);
    expect(refused).toMatchObject({ ok: false, error: { name: 'StoreLockedError', code: 'closed' } });

    const waiting = third.evaluate((name) => globalThis.lib.helpers.open('s', { name, nodeId: 'n1', onLocked: 'wait' }), name);
    const early = await Promise.race([waiting.then(() => 'loaded'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    expect(early).toBe('waiting');
    await owner.close();
    expect(await waiting).toMatchObject({ ok: true, first: 1, last: 25, allValid: true });
    await Promise.all([second.close(), third.close()]);
  }, 60_000);

  it('deleteDatabase from another tab closes the running store (reason deleted); reopening raises StoreWipedError', async () => {
    const name = `deleted-${Date.now()}`;
    const [page, other] = await Promise.all([harness.newPage(), harness.newPage()]);
    await page.evaluate(async (name) => {
      const { helpers } = globalThis.lib;
      await helpers.open('s', { name, nodeId: 'n1' });
      await helpers.stream('s', 1, 2, 10);
    }, name);
    await other.evaluate(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
          request.onblocked = () => reject(new Error('blocked: the running store did not let go'));
        }),
      name,
    );
    const after = await page.evaluate(async () => {
      const { helpers } = globalThis.lib;
      const { errors } = helpers.get('s');
      const write = await helpers.stream('s', 11, 1, 1);
      return { errors, write };
    });
    expect(after.errors).toEqual([expect.objectContaining({ name: 'StoreClosedError', reason: 'deleted' })]);
    expect(after.write).toMatchObject({ ok: false, error: { name: 'StoreClosedError', code: 'closed' } });
    const reopened = await page.evaluate((name) => globalThis.lib.helpers.open('r', { name, nodeId: 'n1' }), name);
    expect(reopened).toMatchObject({ ok: false, error: { name: 'StoreWipedError' } });
    const rejoined = await page.evaluate((name) => globalThis.lib.helpers.open('j', { name, nodeId: 'n1-rejoined' }), name);
    expect(rejoined).toMatchObject({ ok: true, empty: true });
    await Promise.all([page.close(), other.close()]);
  }, 60_000);

  it('storage cleared under a running node: typed error event, writes refused, StoreWipedError on reopen', async () => {
    const name = `cleared-${Date.now()}`;
    const page = await harness.newPage();
    await page.evaluate(async (name) => {
      const { helpers } = globalThis.lib;
      await helpers.open('s', { name, nodeId: 'n1' });
      await helpers.stream('s', 1, 2, 10);
    }, name);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.clearDataForOrigin', { origin: harness.origin, storageTypes: 'indexeddb' });
    const after = await page.evaluate(async () => {
      const { helpers } = globalThis.lib;
      const deadline = Date.now() + 5000;
      while (helpers.get('s').errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const write = await helpers.stream('s', 11, 1, 1);
      return { errors: helpers.get('s').errors, write };
    });
    expect(after.errors[0]).toMatchObject({ name: 'StoreClosedError', code: 'closed' });
    expect(['terminated', 'deleted']).toContain(after.errors[0]?.reason);
    expect(after.write).toMatchObject({ ok: false, error: { code: 'closed' } });
    const reopened = await page.evaluate((name) => globalThis.lib.helpers.open('r', { name, nodeId: 'n1' }), name);
    expect(reopened).toMatchObject({ ok: false, error: { name: 'StoreWipedError', code: 'corrupt' } });
    await page.close();
  }, 60_000);

  it('quota exceeded: StorageQuotaError, nothing unacknowledged stored, writes refused until reopened', async () => {
    const name = `quota-${Date.now()}`;
    const page = await harness.newPage();
    const cdp = await page.context().newCDPSession(page);
    try {
      // Chromium applies a quota override to connections opened after it.
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: harness.origin, quotaSize: 4 * 1024 * 1024 });
      await page.evaluate((name) => globalThis.lib.helpers.open('s', { name, nodeId: 'n1', persist: true }), name);
      const result = await page.evaluate(async () => {
        const { helpers } = globalThis.lib;
        const { store, errors } = helpers.get('s');
        let acked = 0;
        let failure: ReturnType<typeof helpers.info> | undefined;
        for (let index = 1; index <= 64; index++) {
          try {
            await store.write({ entries: [{ index, term: 1, type: 'normal', data: helpers.payload(index, 256 * 1024) }] });
            acked = index;
          } catch (error) {
            failure = helpers.info(error);
            break;
          }
        }
        let next: ReturnType<typeof helpers.info> | undefined;
        try {
          await store.write({ entries: [{ index: acked + 1, term: 1, type: 'normal', data: helpers.payload(acked + 1) }] });
        } catch (error) {
          next = helpers.info(error);
        }
        await store.close();
        return { acked, failure, next, errors, persisted: store.persisted };
      });
      expect(result.failure).toMatchObject({ name: 'StorageQuotaError', code: 'quota' });
      expect(result.next).toMatchObject({ name: 'StoreFailedError', code: 'closed' });
      expect(result.errors).toEqual([expect.objectContaining({ name: 'StorageQuotaError' })]);
      expect(typeof result.persisted).toBe('boolean');
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: harness.origin });
      const reopened = await page.evaluate((name) => globalThis.lib.helpers.open('r', { name, nodeId: 'n1' }), name);
      expect(reopened).toMatchObject({ ok: true, first: 1, last: result.acked, allValid: true });
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: harness.origin }).catch(() => undefined);
      await page.close();
    }
  }, 60_000);
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module shared by every browser test, without types.
import { chromiumLaunchOptions } from '../../../../tools/chromium.mjs';
import { bundleForBrowser } from '../../../../tools/bundle.mjs';
import { gotoTestPage, serve } from './harness.ts';

/** The browser process (not a renderer or helper) started with `profile`. */
function browserPid(profile: string): number | undefined {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  const line = lines.find((l) => l.includes(`--user-data-dir=${profile}`) && !l.includes('--type='));
  return line ? Number.parseInt(line.trim(), 10) : undefined;
}

describe('killing the whole browser', () => {
  let server: Server;
  let origin: string;
  let profile: string;
  beforeAll(async () => {
    ({ server, origin } = await serve(await bundleForBrowser(fileURLToPath(new URL('./page.ts', import.meta.url)))));
    profile = mkdtempSync(join(tmpdir(), 'webraft-idb-profile-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('keeps every entry acknowledged before the browser process was killed (SIGKILL, 3 rounds)', async () => {
    const name = `kill-${Date.now()}`;
    let expectedNext = 1;
    for (let round = 0; round <= 3; round++) {
      const context = await chromium.launchPersistentContext(profile, chromiumLaunchOptions());
      const page = context.pages()[0] ?? (await context.newPage());
      let acked = 0;
      await page.exposeFunction('acked', (index: number) => {
        acked = Math.max(acked, index);
      });
      await gotoTestPage(page, origin);
      const opened = await page.evaluate((name) => globalThis.lib.helpers.open('s', { name, nodeId: 'n1' }), name);
      expect(opened, `round ${round}`).toMatchObject({ ok: true, allValid: true, contiguous: true });
      if (opened.ok && round > 0) {
        expect(opened.first, `round ${round}`).toBe(1);
        expect(opened.last, `round ${round}: every acknowledged entry is there`).toBeGreaterThanOrEqual(expectedNext - 1);
        expectedNext = opened.last + 1;
      }
      if (round === 3) {
        await context.close();
        break;
      }
      void page.evaluate((from) => globalThis.lib.helpers.stream('s', from, 8), expectedNext).catch(() => undefined);
      const started = Date.now();
      while (acked < expectedNext + 50 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 5));
      const pid = browserPid(profile);
      expect(pid, 'the browser process').toBeDefined();
      const closed = new Promise((resolve) => context.once('close', resolve));
      process.kill(pid!, 'SIGKILL');
      await closed;
      expect(acked, `round ${round}: the stream made progress`).toBeGreaterThanOrEqual(expectedNext);
      expectedNext = acked + 1;
    }
  }, 120_000);
});

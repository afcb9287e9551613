import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions, chromiumPath } from '../../../../tools/chromium.mjs';

const hasChromium = existsSync(chromiumPath);

describe.skipIf(!hasChromium)('in Chromium', { timeout: 60_000 }, () => {
  let server: Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('../browser/conformance-page.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
      conditions: ['source'],
    });
    const script = bundle.outputFiles[0]!.text;
    server = createServer((request, response) => {
      if (request.url === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><script src="/page.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch(chromiumLaunchOptions());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('the codec and every conformance suite pass in a plain page', async () => {
    const page = await browser.newPage();
    await page.goto(origin);
    const result = await page.evaluate(() => window.runConformance());
    expect(result.failed).toEqual([]);
    expect(result.passed.length).toBeGreaterThan(30);
  });

  it('two tabs of one origin talk through the BroadcastChannel transport', async () => {
    const context = await browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await Promise.all([a.goto(origin), b.goto(origin)]);
    const [atA, atB] = await Promise.all([
      a.evaluate(() => window.pingTab('tabs', 'tab-a', 'tab-b').then((ms) => ms.map((m) => [m.from, m.to, m.type]))),
      b.evaluate(() => window.pingTab('tabs', 'tab-b', 'tab-a').then((ms) => ms.map((m) => [m.from, m.to, m.type]))),
    ]);
    expect(atA[0]).toEqual(['tab-b', 'tab-a', 'heartbeat']);
    expect(atB[0]).toEqual(['tab-a', 'tab-b', 'heartbeat']);
    await context.close();
  });
});

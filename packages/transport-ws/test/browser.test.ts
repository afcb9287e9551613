import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runConformance, transportConformance, waitFor } from '@webraft/core/testing';
import type { Message } from '@webraft/core';
import { chromiumLaunchOptions } from '../../../tools/chromium.mjs';
import { startRelay, type Relay } from '../src/relay/index.ts';
import { dispatchEvents, PageTransport } from './browser/page-transport.ts';

let relay: Relay;
let server: Server;
let browser: Browser;
const pages: Page[] = [];
let roomCounter = 0;

beforeAll(async () => {
  relay = await startRelay({ port: 0 });
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser/harness.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['source'],
    write: false,
    logLevel: 'error',
  });
  const script = bundle.outputFiles[0]!.text;
  server = createServer((request, response) => {
    if (request.url === '/harness.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/harness.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  browser = await chromium.launch(chromiumLaunchOptions());
  const context = await browser.newContext();
  await context.exposeFunction('webraftEvents', dispatchEvents);
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${address.port}/`);
    await page.waitForFunction(() => 'harness' in window);
    pages.push(page);
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function cluster(kind: 'ws' | 'rtc', secret?: string) {
  return (ids: readonly string[]) => {
    const room = `browser-${roomCounter++}`;
    return {
      transports: ids.map(
        (nodeId, i) => new PageTransport(pages[i % pages.length]!, kind, { url: relay.url, room, nodeId, ...(secret && { secret }) }),
      ),
    };
  };
}

// Every message crosses the test runner ↔ page bridge as JSON, which is slow on its own: wait longer.
const suite = { timeoutMs: 15_000 };

runConformance(transportConformance(cluster('ws'), suite), { describe, it }, { title: 'webSocketTransport in Chromium pages', timeoutMs: 30_000 });
runConformance(transportConformance(cluster('ws', 'cluster secret'), suite), { describe, it }, {
  title: 'webSocketTransport in Chromium pages, with a cluster secret',
  timeoutMs: 30_000,
});
runConformance(transportConformance(cluster('rtc', 'cluster secret'), suite), { describe, it }, {
  title: 'webRTCTransport between Chromium pages',
  timeoutMs: 30_000,
});

describe('webRTCTransport between Chromium pages', () => {
  it('opens data channels between pages and carries frames on them', async () => {
    const [a, b] = cluster('rtc')(['a', 'b']).transports;
    const got: Message[] = [];
    await a!.start({ message: () => undefined });
    await b!.start({ message: (m) => got.push(m) });
    await channelBetween(a!, 'b');
    for (let term = 1; term <= 20; term++) a!.send({ type: 'timeoutNow', from: 'a', to: 'b', term });
    await waitFor(() => got.length === 20, 5000, '20 messages');
    expect(await a!.stats()).toMatchObject({ viaDirect: 20, viaRelay: 0 });
    await a!.close();
    await b!.close();
  }, 30_000);

  it('reopens the channel after a page reloads', async () => {
    const room = `browser-${roomCounter++}`;
    const a = new PageTransport(pages[0]!, 'rtc', { url: relay.url, room, nodeId: 'a' });
    const b = new PageTransport(pages[1]!, 'rtc', { url: relay.url, room, nodeId: 'b' });
    const got: Message[] = [];
    await a.start({ message: (m) => got.push(m) });
    await b.start({ message: () => undefined });
    await channelBetween(a, 'b');
    await pages[1]!.reload();
    await pages[1]!.waitForFunction(() => 'harness' in window);
    const reloaded = new PageTransport(pages[1]!, 'rtc', { url: relay.url, room, nodeId: 'b' });
    await reloaded.start({ message: () => undefined });
    await channelBetween(reloaded, 'a');
    await channelBetween(a, 'b');
    reloaded.send({ type: 'timeoutNow', from: 'b', to: 'a', term: 4 });
    await waitFor(() => got.some((m) => m.term === 4), 5000, 'a message from the reloaded page');
    expect(await reloaded.stats()).toMatchObject({ viaDirect: 1 });
    await a.close();
    await reloaded.close();
  }, 60_000);
});

async function channelBetween(transport: PageTransport, peer: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await transport.stats()).directPeers.includes(peer)) {
    if (Date.now() > deadline) throw new Error(`no channel from ${transport.id} to ${peer}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

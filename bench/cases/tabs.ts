// The tab store as users feel it: three tabs of Chromium share one `createTabStore` (its nodes
// in Workers, BroadcastChannel between the tabs, IndexedDB with strict durability). Commands
// per second dispatched from one tab and from all three with 1,000 in flight, and the latency
// from `dispatch` in one tab to the command applied in every tab, beside the floor measured in
// the same run: one BroadcastChannel round trip between two tabs plus one strict IndexedDB
// transaction.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
// @ts-expect-error -- a plain .mjs module without types.
import { chromiumLaunchOptions } from '../../tools/chromium.mjs';
import { bundleForBrowser } from '../../tools/bundle.mjs';
import { envInfo, onlyPrefix, percentiles, printResult } from './lib.ts';

const only = onlyPrefix();
const wanted = (name: string) => name.startsWith(only) || only.startsWith(name);
const TOTAL = Number(process.env.TABS_BENCH_TOTAL ?? 20_000);
const INFLIGHT = 1000;
const SAMPLES = Number(process.env.TABS_BENCH_SAMPLES ?? 300);
const ROUNDS = 3;

// The page: a counter store, and what the runner asks of it.
const pageSource = `
import { createTabStore } from '@webraft/store';
const store = await createTabStore({
  name: 'bench-' + new URLSearchParams(location.search).get('run'),
  initialState: { n: 0, last: -1 },
  apply: (state, command) => ({ n: state.n + 1, last: command.k }),
  worker: () => new Worker('/store-worker.js', { type: 'module' }),
});
const seen = new Map();
store.subscribe((state, change) => { if (change.command !== undefined && change.command.k >= 0) seen.set(change.command.k, performance.timeOrigin + performance.now()); });
const echo = new BroadcastChannel('bench-echo');
globalThis.bench = {
  status: () => store.status(),
  seenAt: (keys) => keys.map((k) => seen.get(k) ?? null),
  clearSeen: () => seen.clear(),
  async burst(total, inflight) {
    let next = 0;
    const start = performance.now();
    await Promise.all(Array.from({ length: inflight }, async () => { while (next < total) { next++; await store.dispatch({ k: -1 }); } }));
    return (performance.now() - start) / 1000;
  },
  async sequential(keys) {
    const sent = [];
    for (const k of keys) { sent.push(performance.timeOrigin + performance.now()); await store.dispatch({ k }); }
    return sent;
  },
  serveEcho() { echo.onmessage = (e) => echo.postMessage({ back: e.data.ping }); },
  async echoRoundTrips(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await new Promise((resolve) => { echo.onmessage = (e) => { if (e.data.back === i) resolve(); }; echo.postMessage({ ping: i }); });
      out.push((performance.now() - t) * 1000);
    }
    return out;
  },
  async idbTransactions(n) {
    const db = await new Promise((resolve, reject) => { const r = indexedDB.open('bench-floor-' + Math.random(), 1); r.onupgradeneeded = () => r.result.createObjectStore('x'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    const out = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await new Promise((resolve, reject) => { const tx = db.transaction('x', 'readwrite', { durability: 'strict' }); tx.objectStore('x').put(new Uint8Array(64), i); tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
      out.push((performance.now() - t) * 1000);
    }
    db.close();
    return out;
  },
};
`;

const [page, worker] = await Promise.all([
  build({
    stdin: { contents: pageSource, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text),
  bundleForBrowser(fileURLToPath(new URL('../../packages/store/src/worker.ts', import.meta.url))) as Promise<string>,
]);
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/page.js' || path === '/store-worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(path === '/page.js' ? page : worker);
  else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await chromium.launch(chromiumLaunchOptions());
const env = envInfo({ browser: `chromium ${browser.version()}` });

type BenchApi = {
  status(): { slots: number[] };
  seenAt(keys: number[]): (number | null)[];
  burst(total: number, inflight: number): Promise<number>;
  sequential(keys: number[]): Promise<number[]>;
  serveEcho(): void;
  echoRoundTrips(n: number): Promise<number[]>;
  idbTransactions(n: number): Promise<number[]>;
};
// biome-ignore lint/suspicious/noExplicitAny: the argument crosses to the page as JSON
const call = <T>(tab: Page, fn: (bench: BenchApi, arg: any) => T | Promise<T>, arg?: unknown): Promise<T> =>
  // biome-ignore lint/suspicious/noExplicitAny: the page's global
  tab.evaluate(({ source, arg }) => new Function('bench', 'arg', `return (${source})(bench, arg)`)((globalThis as any).bench, arg), { source: fn.toString(), arg }) as Promise<T>;

try {
  const context = await browser.newContext();
  const run = Date.now().toString(36);
  const tabs: Page[] = [];
  for (let i = 0; i < 3; i++) {
    const tab = await context.newPage();
    await tab.goto(`${origin}/?run=${run}`);
    await tab.waitForFunction(() => (globalThis as { bench?: unknown }).bench !== undefined);
    tabs.push(tab);
  }
  // biome-ignore lint/suspicious/noExplicitAny: the page's global
  for (const tab of tabs) await tab.waitForFunction(() => (globalThis as any).bench.status().slots.length === 1, undefined, { timeout: 30_000 });
  const [a, b] = tabs as [Page, Page, Page];
  await call(a, (bench) => bench.burst(500, 100));

  if (wanted('tabs.one.throughput')) {
    let best = 0;
    for (let r = 0; r < ROUNDS; r++) best = Math.max(best, TOTAL / (await call(a, (bench, n) => bench.burst(n, 1000), TOTAL)));
    printResult({ name: 'tabs.one.throughput', params: { tabs: 3, inflight: INFLIGHT, commands: TOTAL, durability: 'strict', bestOf: ROUNDS }, opsPerSec: Math.round(best), env });
  }
  if (wanted('tabs.all.throughput')) {
    let best = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const start = performance.now();
      await Promise.all(tabs.map((tab) => call(tab, (bench, n) => bench.burst(n, 334), Math.round(TOTAL / 3))));
      best = Math.max(best, TOTAL / ((performance.now() - start) / 1000));
    }
    printResult({ name: 'tabs.all.throughput', params: { tabs: 3, inflight: INFLIGHT, commands: TOTAL, durability: 'strict', bestOf: ROUNDS }, opsPerSec: Math.round(best), env });
  }
  if (wanted('tabs.latency') || wanted('tabs.floor')) {
    await call(b, (bench) => bench.serveEcho());
    const latencies: number[] = [];
    const floors: number[] = [];
    const bc: number[] = [];
    const idb: number[] = [];
    // Interleaved in chunks, so the store and its floor meet the same machine.
    for (let chunk = 0; chunk < SAMPLES; chunk += 50) {
      const keys = Array.from({ length: 50 }, (_, i) => chunk + i);
      const sent = await call(a, (bench, k) => bench.sequential(k), keys);
      // Every tab applies the last command a moment after the dispatching tab's answer: wait for it.
      let seen = await Promise.all(tabs.map((tab) => call(tab, (bench, k) => bench.seenAt(k), keys)));
      for (let i = 0; i < 100 && seen.some((s) => s.includes(null)); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = await Promise.all(tabs.map((tab) => call(tab, (bench, k) => bench.seenAt(k), keys)));
      }
      keys.forEach((_, i) => {
        latencies.push((Math.max(...seen.map((s) => s[i] ?? Infinity)) - sent[i]!) * 1000);
      });
      const trips = await call(a, (bench, n) => bench.echoRoundTrips(n), 50);
      const writes = await call(a, (bench, n) => bench.idbTransactions(n), 50);
      bc.push(...trips);
      idb.push(...writes);
      trips.forEach((t, i) => {
        floors.push(t + writes[i]!);
      });
    }
    const store = percentiles(latencies);
    const floor = percentiles(floors);
    printResult({ name: 'tabs.latency', params: { tabs: 3, samples: latencies.length, measured: 'dispatch in one tab to applied in all three', floorP50Us: floor.p50Us, ratioToFloorP50: Math.round((store.p50Us / floor.p50Us) * 100) / 100 }, ...store, env });
    printResult({ name: 'tabs.floor', params: { samples: floors.length, what: 'one BroadcastChannel round trip + one strict IndexedDB transaction', broadcastP50Us: percentiles(bc).p50Us, indexedDBP50Us: percentiles(idb).p50Us }, ...floor, env });
    process.stderr.write(`tabs: dispatch → applied in every tab p50 ${Math.round(store.p50Us)} µs = ${(store.p50Us / floor.p50Us).toFixed(2)}× the floor (${Math.round(floor.p50Us)} µs)\n`);
  }
} finally {
  await browser.close();
  server.close();
}

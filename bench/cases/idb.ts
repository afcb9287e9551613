// IndexedDB log appends in Chromium: this store under Raft's write pattern, against raw
// IndexedDB with one transaction per batch (the ceiling) and one transaction per entry.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
// @ts-expect-error -- a plain .mjs module without types.
import { chromiumLaunchOptions } from '../../tools/chromium.mjs';
import type { BenchPage, Measured } from '../../packages/log-indexeddb/bench/page.ts';
import { bundleForBrowser } from '../../tools/bundle.mjs';
import { serve } from '../../packages/log-indexeddb/test/browser/harness.ts';

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '') : '';
const wanted = (name: string): boolean => name.startsWith(only);

const INFLIGHT = 64;
/** Each case runs this many times, interleaved with the others; the fastest run is reported (shared machines are noisy). */
const ROUNDS = 3;
const sizes = [16, 1024];
const totals: Record<string, Record<number, number>> = {
  'idb.append.raft': { 16: 20_000, 1024: 10_000 },
  'idb.append.rawBatch': { 16: 20_000, 1024: 10_000 },
  'idb.append.perEntry': { 16: 400, 1024: 400 },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const script = await bundleForBrowser(fileURLToPath(new URL('../../packages/log-indexeddb/bench/page.ts', import.meta.url)));
const { server, origin } = await serve(script);
const browser = await chromium.launch(chromiumLaunchOptions());
const env = { node: process.version, browser: `chromium ${browser.version()}` };
const figures = new Map<string, number>();

try {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (globalThis as { bench?: unknown }).bench !== undefined);
  let run = 0;
  for (const bytes of sizes) {
    const best = new Map<string, Measured>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(totals)) {
        if (!wanted(name)) continue;
        const total = totals[name]![bytes]!;
        const db = `bench-${Date.now()}-${run++}`;
        const measured: Measured = await page.evaluate(
          ({ name, db, total, bytes, inflight }) => {
            const b = (globalThis as unknown as { bench: BenchPage }).bench;
            if (name === 'idb.append.raft') return b.raft(db, total, bytes, inflight, 1);
            if (name === 'idb.append.rawBatch') return b.rawBatch(db, total, bytes, inflight);
            return b.perEntry(db, total, bytes);
          },
          { name, db, total, bytes, inflight: INFLIGHT },
        );
        await page.evaluate((db) => new Promise((resolve) => (indexedDB.deleteDatabase(db).onsuccess = resolve)), db);
        const previous = best.get(name);
        if (!previous || measured.entries / measured.seconds > previous.entries / previous.seconds) best.set(name, measured);
      }
    }
    for (const [name, measured] of best) {
      const total = measured.entries;
      const sorted = [...measured.latenciesUs].sort((a, b) => a - b);
      const opsPerSec = measured.entries / measured.seconds;
      figures.set(`${name}/${bytes}`, opsPerSec);
      const params =
        name === 'idb.append.raft'
          ? { entryBytes: bytes, entries: total, inflightWrites: INFLIGHT, entriesPerWrite: 1, durability: 'strict', bestOf: ROUNDS }
          : name === 'idb.append.rawBatch'
            ? { entryBytes: bytes, entries: total, entriesPerTransaction: INFLIGHT, durability: 'strict', bestOf: ROUNDS }
            : { entryBytes: bytes, entries: total, entriesPerTransaction: 1, durability: 'strict', bestOf: ROUNDS };
      const line = {
        name,
        params,
        opsPerSec: Math.round(opsPerSec),
        p50Us: Math.round(percentile(sorted, 50)),
        p99Us: Math.round(percentile(sorted, 99)),
        maxUs: Math.round(sorted[sorted.length - 1] ?? 0),
        ...(measured.peakHeapMB !== undefined && { peakHeapMB: Math.round(measured.peakHeapMB * 10) / 10 }),
        env,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    const raft = figures.get(`idb.append.raft/${bytes}`);
    const raw = figures.get(`idb.append.rawBatch/${bytes}`);
    const naive = figures.get(`idb.append.perEntry/${bytes}`);
    if (raft && raw && naive) {
      process.stderr.write(
        `idb ${bytes} B entries: raft ${Math.round(raft)}/s = ${((100 * raft) / raw).toFixed(0)}% of rawBatch, ` +
          `${(raft / naive).toFixed(1)}× perEntry\n`,
      );
    }
  }
} finally {
  await browser.close();
  server.close();
}

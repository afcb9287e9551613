/**
 * A cluster of real tabs: each tab opens the e2e page for one node. Tabs of a BroadcastChannel
 * cluster share one browser context (the channel does not cross contexts); over the relay or
 * WebRTC every node gets a context of its own, like separate browsers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { TabNetwork } from '@webraft/playwright';
import { checkLinearizable, historyToJson, type HistoryOp, type KvInput, type LinearizabilityResult } from '@webraft/sim';
import { chromiumLaunchOptions } from '../../../tools/chromium.mjs';
import { ProcessBrowser } from './process-browser.ts';
import { Recorder } from './recorder.ts';
// Brings the page's `window.e2e` type into the tests' `evaluate` callbacks.
import type {} from '../../page/main.ts';

export type TransportKind = 'broadcast' | 'relay' | 'webrtc';

export interface NodeStatus {
  readonly id: string;
  readonly role: string;
  readonly term: number;
  readonly lead: string;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly conf: { readonly voters: readonly string[] };
}

export interface ClusterOptions {
  readonly nodes: readonly string[];
  /** Voters at creation; the other nodes wait to be added. @default nodes */
  readonly members?: readonly string[];
  readonly transport?: TransportKind;
  /** A broken core (`@webraft/core/testing` mutants) in every node. @default $E2E_MUTANT */
  readonly mutant?: string;
  /** Every node in a Chromium process of its own with a profile on disk (relay or WebRTC only). @default false */
  readonly processes?: boolean;
  /** Launch without the flags that switch off background throttling. @default false */
  readonly throttling?: boolean;
}

export const workloadDefaults = { keys: 6, pauseMs: 40, timeoutMs: 2000 };

const web = () => process.env.E2E_WEB_URL ?? '';
const relay = () => process.env.E2E_RELAY_URL ?? '';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a test leaves its history, event logs and screenshots. */
export function resultsDir(info: TestInfo): string {
  const dir = join(import.meta.dirname, '..', '..', 'results', info.titlePath.slice(1).join(' ').replace(/[^\w-]+/g, '-').slice(0, 120));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export class Cluster {
  readonly recorder = new Recorder();
  readonly tabs = new Map<string, Page>();
  /** The faults between the tabs (`@webraft/playwright`); each tab's id is its node's. */
  readonly net = new TabNetwork(() => [...this.tabs.values()]);
  readonly name = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  readonly transport: TransportKind;
  // Promises, so that tabs opened at once share what the first of them creates.
  #browser: Promise<Browser> | undefined;
  #shared: Promise<BrowserContext> | undefined;
  #contexts = new Map<string, Promise<BrowserContext>>();
  #processes = new Map<string, ProcessBrowser>();
  #profiles: string | undefined;

  readonly mutant: string | undefined;

  constructor(readonly options: ClusterOptions) {
    this.transport = options.transport ?? 'broadcast';
    // E2E_MUTANT runs the whole suite against a broken core (it should then fail).
    this.mutant = options.mutant ?? process.env.E2E_MUTANT;
  }

  static async open(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    await Promise.all(options.nodes.filter((n) => (options.members ?? options.nodes).includes(n)).map((n) => cluster.openTab(n)));
    return cluster;
  }

  browser(): Promise<Browser> {
    const throttled = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];
    this.#browser ??= chromium.launch({ ...chromiumLaunchOptions(), ...(this.options.throttling ? { ignoreDefaultArgs: throttled } : {}) });
    return this.#browser;
  }

  /** The context node `id`'s tab opens in (new for each node unless over BroadcastChannel). */
  context(id: string): Promise<BrowserContext> {
    if (this.transport === 'broadcast') return (this.#shared ??= this.#newContext());
    let ctx = this.#contexts.get(id);
    if (ctx === undefined) this.#contexts.set(id, (ctx = this.options.processes ? this.#processContext(id) : this.#newContext()));
    return ctx;
  }

  async #processContext(id: string): Promise<BrowserContext> {
    this.#profiles ??= mkdtempSync(join(tmpdir(), 'webraft-e2e-'));
    const browser = await ProcessBrowser.launch(join(this.#profiles, id));
    this.#processes.set(id, browser);
    return this.#listen(browser.context);
  }

  async #newContext(): Promise<BrowserContext> {
    return this.#listen(await (await this.browser()).newContext());
  }

  async #listen(ctx: BrowserContext): Promise<BrowserContext> {
    await ctx.exposeFunction('e2eReport', (items: [string, Record<string, unknown>][]) => {
      for (const [kind, data] of items) this.recorder.hear(kind, data);
    });
    return ctx;
  }

  url(id: string): string {
    const members = this.options.members ?? this.options.nodes;
    const q = new URLSearchParams({
      node: id,
      // A node outside the first configuration starts empty and waits to be added.
      members: members.includes(id) ? members.join(',') : '',
      transport: this.transport,
      relay: relay(),
      cluster: this.name,
      ...(this.mutant === undefined ? {} : { mutant: this.mutant }),
    });
    return `${web()}?${q}`;
  }

  /** Opens node `id`'s tab (again); resolves once the node recovered its log and started. */
  async openTab(id: string, context?: BrowserContext): Promise<Page> {
    const page = await (context ?? (await this.context(id))).newPage();
    await page.goto(this.url(id));
    await page.evaluate(() => window.e2e.ready());
    await this.#calibrate(page);
    this.tabs.set(id, page);
    await this.net.sync(page);
    return page;
  }

  /** Maps the page's clock onto the runner's: the offset seen in the quickest of a few round trips. */
  async #calibrate(page: Page): Promise<void> {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 10; i++) {
      const sent = performance.now();
      const pageTime = await page.evaluate(() => window.e2e.clock());
      const rtt = performance.now() - sent;
      if (rtt < best.rtt) best = { rtt, offset: pageTime - (sent + rtt / 2) };
    }
    // Half the round trip, plus the page clock's coarsening (at most 0.1 ms).
    this.recorder.calibrate(await page.evaluate(() => window.e2e.incarnation()), best.offset, best.rtt / 2 + 0.1);
  }

  async closeTab(id: string): Promise<void> {
    const page = this.tab(id);
    this.tabs.delete(id);
    await page.close();
  }

  /** Kills node `id`'s browser process (`processes` clusters); its tab reopens in a new one on the same profile. */
  async crashBrowser(id: string): Promise<void> {
    const browser = this.#processes.get(id);
    if (browser === undefined) throw new Error(`node ${id} has no browser process of its own`);
    this.#processes.delete(id);
    this.#contexts.delete(id);
    this.tabs.delete(id);
    await browser.crash();
  }

  tab(id: string): Page {
    const page = this.tabs.get(id);
    if (page === undefined) throw new Error(`no open tab for node ${id}`);
    return page;
  }

  async status(id: string): Promise<NodeStatus | undefined> {
    return this.tab(id).evaluate(() => window.e2e.status());
  }

  async statuses(): Promise<NodeStatus[]> {
    const all = await Promise.all([...this.tabs.keys()].map((id) => this.status(id)));
    return all.filter((s): s is NodeStatus => s !== undefined);
  }

  /** Waits until one of `among` leads and a majority of `among` follows it in its term. */
  async waitForLeader(among: readonly string[] = [...this.tabs.keys()], timeoutMs = 15_000): Promise<NodeStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = (await Promise.all(among.map((id) => this.status(id)))).filter((s) => s !== undefined);
      const leader = statuses.find((s) => s.role === 'leader');
      if (leader !== undefined) {
        const followers = statuses.filter((s) => s.term === leader.term && s.lead === leader.id).length;
        if (followers > leader.conf.voters.length / 2) return leader;
      }
      if (Date.now() > deadline) throw new Error(`no leader among ${among.join(',')}: ${JSON.stringify(statuses)}`);
      await sleep(50);
    }
  }

  /** Isolates `group` from every other node, both ways. */
  async partition(group: readonly string[]): Promise<void> {
    await this.net.partition([group.map((id) => this.tab(id))]);
  }

  async heal(): Promise<void> {
    await this.net.heal();
  }

  /** Collects the reports the open tabs still hold. */
  async flush(): Promise<void> {
    await Promise.all([...this.tabs.values()].map((p) => p.evaluate(() => window.e2e.flush())));
  }

  async op(id: string, input: KvInput, timeoutMs = 3000): Promise<HistoryOp> {
    return this.tab(id).evaluate(([i, t]) => window.e2e.op(i, t), [input, timeoutMs] as const);
  }

  async startWorkload(ids: readonly string[] = [...this.tabs.keys()], options = workloadDefaults): Promise<void> {
    for (const id of ids) await this.tab(id).evaluate((o) => window.e2e.startWorkload(o), options);
  }

  async stopWorkload(ids: readonly string[] = [...this.tabs.keys()]): Promise<void> {
    await Promise.all(ids.map((id) => this.tab(id).evaluate(() => window.e2e.stopWorkload())));
  }

  /** Waits until every open tab applied the same entries to the same state. */
  async converged(timeoutMs = 20_000): Promise<{ applied: number; digest: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = await this.statuses();
      const commit = Math.max(...statuses.map((s) => s.commit));
      if (statuses.length === this.tabs.size && statuses.every((s) => s.applied >= commit && s.commit === commit)) {
        const dumps = await Promise.all([...this.tabs.values()].map((p) => p.evaluate(() => window.e2e.dump())));
        if (dumps.every((d) => d.applied === dumps[0]!.applied && d.digest === dumps[0]!.digest)) return dumps[0]!;
      }
      if (Date.now() > deadline) throw new Error(`tabs did not converge: ${JSON.stringify(statuses)}`);
      await sleep(100);
    }
  }

  /** Saves the history and checks it is linearizable. */
  async checkHistory(info: TestInfo): Promise<LinearizabilityResult> {
    await this.flush();
    const history = this.recorder.history();
    writeFileSync(join(resultsDir(info), 'history.json'), historyToJson(history));
    const result = checkLinearizable(history);
    writeFileSync(join(resultsDir(info), 'linearizability.json'), `${JSON.stringify(result, null, 1)}\n`);
    return result;
  }

  /** The common end of every test: one leader per term, a linearizable history. */
  async verify(info: TestInfo): Promise<void> {
    expect(this.recorder.termsWithTwoLeaders(), 'at most one leader per term').toEqual([]);
    const result = await this.checkHistory(info);
    expect(result.ok, `linearizable history (${JSON.stringify(result).slice(0, 2000)})`).toBe(true);
  }

  /** Leaves screenshots (on failure), every tab's event log and the history; closes the browser. */
  async close(info: TestInfo): Promise<void> {
    const dir = resultsDir(info);
    await this.flush().catch(() => {});
    const failed = info.status !== info.expectedStatus;
    if (failed) {
      for (const [id, page] of this.tabs) await page.screenshot({ path: join(dir, `tab-${id}.png`) }).catch(() => {});
    }
    writeFileSync(join(dir, 'history.json'), historyToJson(this.recorder.history()));
    writeFileSync(join(dir, 'clocks.json'), `${JSON.stringify(this.recorder.calibrations(), null, 1)}\n`);
    const byNode = new Map<string, string[]>();
    for (const e of this.recorder.events) {
      const lines = byNode.get(e.node) ?? [];
      lines.push(`${(e.time / 1000).toFixed(3).padStart(10)} ${e.text}`);
      byNode.set(e.node, lines);
    }
    for (const [node, lines] of byNode) writeFileSync(join(dir, `events-${node}.log`), `${lines.join('\n')}\n`);
    await (await this.#browser)?.close();
    for (const browser of this.#processes.values()) await browser.close();
    if (this.#profiles !== undefined) rmSync(this.#profiles, { recursive: true, force: true });
  }
}

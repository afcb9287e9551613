/**
 * The runner's side of the fault hooks: one fault state for the tabs of a test, set on every
 * page through `page.evaluate` and waited for until each page and its Workers adopted it.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { noFaults, type FaultState, type NodeStatus, type TabReport } from './faults.ts';
import { FaultOptionsError, FaultsNotAdoptedError, HooksMissingError, NoLeaderError } from './errors.ts';

export interface TabNetworkOptions {
  /** How to read a tab's role, term and commit. @default what the page's hooks `watch` */
  readonly status?: (page: Page) => Promise<NodeStatus | undefined>;
  /** How long a page may take to adopt new faults. @default 5000 */
  readonly adoptTimeoutMs?: number;
}

export interface Leader {
  readonly page: Page;
  readonly status: NodeStatus;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TabNetwork {
  #state: FaultState = noFaults;
  readonly #tabs = new WeakMap<Page, string>();
  readonly #pages: () => readonly Page[];

  /** `pages`: the tabs of the test, as a browser context (all its pages), a list, or a function giving the list. */
  constructor(
    pages: BrowserContext | readonly Page[] | (() => readonly Page[]),
    readonly options: TabNetworkOptions = {},
  ) {
    if (typeof pages === 'function') this.#pages = pages;
    else if (Array.isArray(pages)) this.#pages = () => pages as readonly Page[];
    else this.#pages = () => (pages as BrowserContext).pages();
  }

  get state(): FaultState {
    return this.#state;
  }

  /** The open pages of the test (an empty tab, `about:blank`, is no app's and is left out). */
  pages(): Page[] {
    return this.#pages().filter((p) => !p.isClosed() && p.url() !== 'about:blank');
  }

  async report(page: Page): Promise<TabReport> {
    const report = await page.evaluate(() => window.__webraft?.report());
    if (report === undefined) throw new HooksMissingError(page.url());
    this.#tabs.set(page, report.tab);
    return report;
  }

  /** The tab id of `page` for the faults. */
  async tab(page: Page): Promise<string> {
    return this.#tabs.get(page) ?? (await this.report(page)).tab;
  }

  /** Splits the tabs into sides that hear only each other; open tabs in no group form one more side. */
  async partition(groups: readonly (readonly Page[])[]): Promise<void> {
    const seen = new Set<Page>();
    for (const page of groups.flat()) {
      if (seen.has(page)) throw new FaultOptionsError('a page is in two groups of the partition');
      seen.add(page);
    }
    const tabs = await Promise.all(groups.map((group) => Promise.all(group.map((page) => this.tab(page)))));
    await this.#set({ groups: tabs });
  }

  /** Cuts `page` off from every other tab, both ways. */
  isolate(page: Page): Promise<void> {
    return this.partition([[page]]);
  }

  /** Loses every message from `from` to `to` (one way; `bothWays` cuts the links back too). */
  async cut(from: Page, to: Page | readonly Page[], options: { readonly bothWays?: boolean } = {}): Promise<void> {
    const f = await this.tab(from);
    const cuts = this.#state.cuts.map(([a, b]) => [a, b] as [string, string]);
    for (const page of Array.isArray(to) ? (to as readonly Page[]) : [to as Page]) {
      const t = await this.tab(page);
      cuts.push([f, t]);
      if (options.bothWays === true) cuts.push([t, f]);
    }
    await this.#set({ cuts });
  }

  /** Restores the links between `a` and `b`, both ways, that `cut` made. */
  async restore(a: Page, b: Page): Promise<void> {
    const [x, y] = [await this.tab(a), await this.tab(b)];
    await this.#set({ cuts: this.#state.cuts.filter(([f, t]) => !((f === x && t === y) || (f === y && t === x))) });
  }

  /** Loses each message between two tabs with probability `rate` (0 to 1). */
  async dropRate(rate: number): Promise<void> {
    if (!(rate >= 0 && rate <= 1)) throw new FaultOptionsError(`a drop rate is between 0 and 1, got ${rate}`);
    await this.#set({ dropRate: rate });
  }

  /** Delays each message between two tabs by a time drawn from [minMs, maxMs]. */
  async delay(minMs: number, maxMs = minMs): Promise<void> {
    if (!(minMs >= 0 && maxMs >= minMs)) throw new FaultOptionsError(`a delay range is 0 ≤ min ≤ max, got [${minMs}, ${maxMs}]`);
    await this.#set({ delayMs: [minMs, maxMs] });
  }

  /** No partition, cut, loss or delay any more. */
  heal(): Promise<void> {
    return this.#set({ groups: [], cuts: [], dropRate: 0, delayMs: [0, 0] });
  }

  /** Hands the current faults to `page` (a tab opened or reloaded since they were set). */
  async sync(page: Page): Promise<void> {
    if (this.#state.version > 0) await this.#apply(page, this.#state);
  }

  async #set(change: Partial<Omit<FaultState, 'version' | 'nodes'>>): Promise<void> {
    const pages = this.pages();
    const reports = await Promise.all(pages.map((page) => this.report(page)));
    const nodes: Record<string, string> = {};
    for (const r of reports) for (const node of r.nodes) nodes[node] = r.tab;
    // Above every version a page holds, also one a reloaded page heard from the others.
    const version = Math.max(this.#state.version, ...reports.map((r) => r.faults)) + 1;
    this.#state = { ...this.#state, ...change, nodes, version };
    await Promise.all(pages.map((page) => this.#apply(page, this.#state)));
  }

  async #apply(page: Page, state: FaultState): Promise<void> {
    const deadline = Date.now() + (this.options.adoptTimeoutMs ?? 5000);
    await page.evaluate((s) => window.__webraft?.setFaults(s), state);
    for (;;) {
      const report = await this.report(page);
      if (report.faults >= state.version) return;
      if (Date.now() > deadline) throw new FaultsNotAdoptedError(report.tab, state.version, report.faults);
      await sleep(20);
    }
  }

  /** Each page's role, term and commit (undefined where the page reports none yet). */
  async statuses(pages: readonly Page[] = this.pages()): Promise<(NodeStatus | undefined)[]> {
    const read = this.options.status ?? (async (page: Page) => (await this.report(page)).status);
    return Promise.all(pages.map((page) => read(page)));
  }

  /**
   * Waits until one of `among` leads and more than half of `among` report the same leader in
   * its term; resolves with that tab.
   */
  async waitForLeader(among: readonly Page[] = this.pages(), timeoutMs = 15_000): Promise<Leader> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = await this.statuses(among);
      let best: Leader | undefined;
      statuses.forEach((status, i) => {
        if (status?.leading === true && (best === undefined || status.term > best.status.term)) best = { page: among[i]!, status };
      });
      if (best !== undefined) {
        const { term, leader } = best.status;
        if (statuses.filter((s) => s?.term === term && s.leader === leader).length > among.length / 2) return best;
      }
      if (Date.now() > deadline) throw new NoLeaderError(statuses);
      await sleep(50);
    }
  }

  /** Stops `page`'s node as a crash would (the page registered it with `control`). */
  async crash(page: Page): Promise<void> {
    await this.report(page);
    await page.evaluate(() => window.__webraft!.crash());
  }

  /** Starts `page`'s node again from its durable log. */
  async restart(page: Page): Promise<void> {
    await this.report(page);
    await page.evaluate(() => window.__webraft!.restart());
  }

  /** Reloads `page` (its nodes stop and start again from their durable logs) and hands it the faults. */
  async reload(page: Page): Promise<void> {
    await page.reload();
    await page.waitForFunction(() => window.__webraft !== undefined);
    await this.sync(page);
  }
}

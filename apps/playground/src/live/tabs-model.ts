/**
 * What a tab knows of the other tabs of its store: the store's own list of open tabs (which
 * voter slots each runs, who follows as a learner), each tab's report of itself (heard over a
 * side BroadcastChannel: role, term, commit, applied, pending writes — observation only, never
 * Raft traffic), and the tabs known to be closed (their page lock was freed). Pure: time comes
 * in as an argument, so the view and the tests ask "what is shown at `now`".
 *
 * Who leads is what the leading tab says of itself: the store's own status names the leader's
 * voter slot, and a slot moves to another tab the moment its tab closes — before any new
 * election — so the slot alone would name a tab whose node is a follower.
 */
import type { TabInfo, TabStoreStatus } from '@webraft/store';

/** One tab's report of itself. */
export interface TabReport {
  readonly tab: string;
  readonly role: TabStoreStatus['role'];
  readonly slots: readonly number[];
  /** One of this tab's nodes leads. */
  readonly leading: boolean;
  /** A node of this tab knows a leader (and has joined, for a learner). */
  readonly connected: boolean;
  readonly term: number;
  readonly commit: number;
  /** Commands in this tab's state (applied). */
  readonly seq: number;
  readonly pendingWrites: number;
  readonly isolated: boolean;
  readonly visible: boolean;
}

/** Between the tabs of one store, on the side channel. */
export type Gossip =
  | { readonly t: 'report'; readonly report: TabReport }
  /** A tab opened: every other tab reports at once. */
  | { readonly t: 'hello'; readonly tab: string }
  | { readonly t: 'bye'; readonly tab: string };

/** Checks gossip from another tab before it reaches the view: anything malformed is dropped. */
export function parseGossip(value: unknown): Gossip | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const g = value as Record<string, unknown>;
  if ((g.t === 'hello' || g.t === 'bye') && typeof g.tab === 'string') return { t: g.t, tab: g.tab };
  if (g.t !== 'report' || typeof g.report !== 'object' || g.report === null) return undefined;
  const r = g.report as Record<string, unknown>;
  const numbers = ['term', 'commit', 'seq', 'pendingWrites'].every((k) => Number.isSafeInteger(r[k]) && (r[k] as number) >= 0);
  const flags = ['leading', 'connected', 'isolated', 'visible'].every((k) => typeof r[k] === 'boolean');
  const slots = Array.isArray(r.slots) && r.slots.length <= 7 && r.slots.every((slot) => Number.isSafeInteger(slot));
  const role = r.role === 'starting' || r.role === 'voter' || r.role === 'learner' || r.role === 'closed';
  if (typeof r.tab !== 'string' || r.tab.length > 64 || !numbers || !flags || !slots || !role) return undefined;
  return { t: 'report', report: r as unknown as TabReport };
}

export type TabState = 'leader' | 'voter' | 'learner' | 'starting';

export interface TabRow {
  readonly tab: string;
  readonly me: boolean;
  readonly state: TabState;
  readonly slots: readonly number[];
  /** Its latest report, when one was heard. */
  readonly report?: TabReport;
  /** Its report is older than `silentAfterMs`: the tab may be frozen. */
  readonly silent: boolean;
}

/** A tab that reports nothing for this long is shown as silent (frozen, or very busy). */
export const silentAfterMs = 4000;

export class TabsModel {
  #reports = new Map<string, { report: TabReport; at: number }>();
  #gone = new Set<string>();

  hear(report: TabReport, now: number): void {
    if (this.#gone.has(report.tab)) return;
    this.#reports.set(report.tab, { report, at: now });
  }

  /** The tab closed (its lock was freed, or it said goodbye): it is never shown again. */
  gone(tab: string): boolean {
    if (this.#gone.has(tab)) return false;
    this.#gone.add(tab);
    this.#reports.delete(tab);
    return true;
  }

  isGone(tab: string): boolean {
    return this.#gone.has(tab);
  }

  /**
   * Every open tab as shown: the store's list of open tabs and the tabs heard from lately
   * (one that just opened may be heard before the store lists it), without the closed ones.
   */
  rows(own: Pick<TabStoreStatus, 'tab' | 'tabs'>, now: number): TabRow[] {
    const listed = new Map<string, TabInfo>(own.tabs.map((info) => [info.tab, info]));
    const ids = new Set<string>(listed.keys());
    for (const [tab, heard] of this.#reports) if (now - heard.at <= silentAfterMs) ids.add(tab);
    const rows: TabRow[] = [];
    for (const tab of ids) {
      if (this.#gone.has(tab) || tab === '') continue;
      const heard = this.#reports.get(tab);
      const info = listed.get(tab);
      const report = heard?.report;
      const slots = report?.slots ?? info?.slots ?? [];
      rows.push({
        tab,
        me: tab === own.tab,
        state: stateOf(report, info),
        slots,
        ...(report === undefined ? {} : { report }),
        silent: heard === undefined || now - heard.at > silentAfterMs,
      });
    }
    return rows.sort((a, b) => (a.slots[0] ?? 99) - (b.slots[0] ?? 99) || a.tab.localeCompare(b.tab));
  }
}

function stateOf(report: TabReport | undefined, info: TabInfo | undefined): TabState {
  if (report !== undefined) {
    if (report.leading) return 'leader';
    return report.role === 'voter' ? 'voter' : report.role === 'learner' ? 'learner' : 'starting';
  }
  if (info !== undefined && info.slots.length > 0) return 'voter';
  return info?.learner !== undefined ? 'learner' : 'starting';
}

/** The tab that leads the highest term among the rows, if any says it leads. */
export function leaderRow(rows: readonly TabRow[]): TabRow | undefined {
  let best: TabRow | undefined;
  for (const row of rows) {
    if (row.state === 'leader' && (best === undefined || (row.report?.term ?? 0) > (best.report?.term ?? 0))) best = row;
  }
  return best;
}

/** A tab's id as the page shows it: short, and the same in every tab. */
export const shortTab = (tab: string): string => tab.slice(0, 4);

/**
 * The faults between tabs, as one state every context of a test build holds: the test runner
 * decides it, each tab's hooks adopt the newest version, and every message between two tabs
 * is judged by the receiving context with {@link verdict}. Tabs are the unit: whatever runs in
 * one tab (its page, its Workers, every Raft node the tab store placed there) stays connected
 * to itself, as the parts of one browser tab are.
 */

export interface FaultState {
  /** Increases with every change the runner makes; a context keeps the highest it has seen. */
  readonly version: number;
  /**
   * Sides of a partition, by tab id: a message crosses only between tabs of one side. The tabs
   * listed in no group form one more side together (so tabs opened later join the rest).
   * Empty: no partition.
   */
  readonly groups: readonly (readonly string[])[];
  /** One-way cuts `[from, to]`: messages from the first tab to the second are lost. */
  readonly cuts: readonly (readonly [string, string])[];
  /** Share of the messages between two tabs that is lost, 0 to 1. */
  readonly dropRate: number;
  /** Extra delay of each message between two tabs, ms, drawn from [min, max]. */
  readonly delayMs: readonly [number, number];
  /** Raft node id → the tab that runs it, for transports whose messages name nodes (relay, WebRTC). */
  readonly nodes: Readonly<Record<string, string>>;
}

export const noFaults: FaultState = Object.freeze({ version: 0, groups: [], cuts: [], dropRate: 0, delayMs: [0, 0] as const, nodes: {} });

export type Verdict =
  | { readonly deliver: true; readonly delayMs: number }
  | { readonly deliver: false; readonly why: 'partition' | 'cut' | 'loss' };

const now: Verdict = { deliver: true, delayMs: 0 };

/**
 * What happens to a message from tab `from` (undefined: a sender the hooks do not know) to tab
 * `to`. Within one tab nothing is ever lost or late.
 */
export function verdict(state: FaultState, from: string | undefined, to: string, random: () => number): Verdict {
  if (from === to) return now;
  if (state.groups.length > 0 && (from === undefined || sideOf(state, from) !== sideOf(state, to))) return { deliver: false, why: 'partition' };
  if (from !== undefined && state.cuts.some(([f, t]) => f === from && t === to)) return { deliver: false, why: 'cut' };
  if (state.dropRate > 0 && random() < state.dropRate) return { deliver: false, why: 'loss' };
  const [min, max] = state.delayMs;
  if (max <= 0) return now;
  return { deliver: true, delayMs: min + random() * (max - min) };
}

function sideOf(state: FaultState, tab: string): number {
  return state.groups.findIndex((group) => group.includes(tab));
}

/** Checks a state that crossed `postMessage` from another context: malformed input is ignored, never adopted. */
export function isFaultState(value: unknown): value is FaultState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  return (
    typeof s.version === 'number' &&
    Array.isArray(s.groups) &&
    s.groups.every(strings) &&
    Array.isArray(s.cuts) &&
    s.cuts.every((c) => strings(c) && (c as unknown[]).length === 2) &&
    typeof s.dropRate === 'number' &&
    s.dropRate >= 0 &&
    s.dropRate <= 1 &&
    Array.isArray(s.delayMs) &&
    s.delayMs.length === 2 &&
    s.delayMs.every((d) => typeof d === 'number' && d >= 0) &&
    typeof s.nodes === 'object' &&
    s.nodes !== null &&
    Object.values(s.nodes).every((t) => typeof t === 'string')
  );
}

/** One tab's Raft node (or, for a tab store, its nodes) as the runner sees it. */
export interface NodeStatus {
  /** A node of this tab is the leader. */
  readonly leading: boolean;
  /** `leader`, `follower`, `candidate`... for a RaftNode; `voter`, `learner`, `starting`... for a tab store. */
  readonly role: string;
  readonly term: number;
  readonly commit: number;
  /** The leader as this tab knows it: a node id, or for a tab store the leader's tab ('' when none). */
  readonly leader: string;
}

/** What a tab's hooks tell the runner. */
export interface TabReport {
  /** The tab's id for the faults (kept across reloads of the tab). */
  readonly tab: string;
  /** Raft nodes the tab's node-addressed transports carry (those wrapped with `faultTransport`). */
  readonly nodes: readonly string[];
  readonly visibility: DocumentVisibilityState;
  /** The lowest fault version this page and its Workers have adopted. */
  readonly faults: number;
  /** Messages to this page's context delivered, lost or delayed by the faults (its Workers count their own). */
  readonly counters: { readonly delivered: number; readonly dropped: number; readonly delayed: number };
  /** From the source given to `watch`, once there is one. */
  readonly status: NodeStatus | undefined;
  /** The page registered a node it can stop and start (`control`). */
  readonly controllable: boolean;
}

/** The page API the runner drives (`window.__webraft`), present only where the hooks were installed. */
export interface PageHooks {
  readonly tab: string;
  report(): TabReport;
  setFaults(state: FaultState): void;
  /** Stops the page's registered node, as a crash would (no goodbye to the others). */
  crash(): Promise<void>;
  /** Starts the page's registered node again on its durable log. */
  restart(): Promise<void>;
}

declare global {
  interface Window {
    /** Installed by `@webraft/playwright/page`, in test builds only. */
    __webraft?: PageHooks;
  }
}

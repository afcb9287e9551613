/**
 * Everything the tabs report while a test runs — node events and client operations — kept
 * on the test runner's side, so a tab that is closed or crashed has already told its part.
 */
import type { HistoryOp, KvInput } from '@webraft/sim';

export interface NodeEvent {
  readonly node: string;
  readonly time: number;
  readonly text: string;
}

interface Call {
  readonly node: string;
  readonly client: string;
  readonly input: KvInput;
  readonly call: number;
}

/**
 * Each tab reports times from its own monotonic clock. Wall clocks may step while a test runs,
 * so every tab is calibrated against the runner's monotonic clock when it opens (`calibrate`)
 * and histories and events are given in the runner's clock.
 */
export class Recorder {
  readonly #events: (NodeEvent & { tab: string })[] = [];
  readonly #calls = new Map<string, Call & { tab: string }>();
  readonly #returned = new Map<string, HistoryOp>();
  readonly #offsets = new Map<string, { offset: number; error: number }>();

  hear(kind: string, data: Record<string, unknown>): void {
    const tab = String(data.tab);
    if (kind === 'event') this.#events.push({ node: String(data.node), tab, time: Number(data.time), text: String(data.text) });
    if (kind === 'call') this.#calls.set(String(data.id), { ...(data as unknown as Call), tab });
    if (kind === 'return') this.#returned.set(String(data.id), data.op as HistoryOp);
  }

  /** Tab `tab`'s clock reads `offset` (± `error`) more than the runner's `performance.now()`. */
  calibrate(tab: string, offset: number, error: number): void {
    this.#offsets.set(tab, { offset, error });
  }

  calibrations(): Record<string, { offset: number; error: number }> {
    return Object.fromEntries(this.#offsets);
  }

  /** `t` of tab `tab` in the runner's clock, moved by the calibration error to the `side` that is always safe. */
  #time(tab: string, t: number, side: -1 | 0 | 1 = 0): number {
    const c = this.#offsets.get(tab) ?? { offset: 0, error: 0 };
    return t - c.offset + side * c.error;
  }

  get events(): NodeEvent[] {
    return this.#events.map((e) => ({ node: e.node, time: this.#time(e.tab, e.time), text: e.text }));
  }

  /** The history so far, in the runner's clock; an operation that never returned (its tab died) is unknown. */
  history(): HistoryOp[] {
    return [...this.#calls].map(([id, c]) => {
      const op = this.#returned.get(id);
      // Widening each operation by its tab's calibration error never orders two operations
      // that did not happen in that order, so it cannot invent a violation.
      const call = this.#time(c.tab, c.call, -1);
      if (op === undefined) return { client: c.client, input: c.input, output: null, call, return: Infinity, type: 'info' as const };
      return { ...op, call, return: this.#time(c.tab, op.return, 1) };
    });
  }

  /** Terms in which more than one node said it became leader. */
  termsWithTwoLeaders(): { term: number; nodes: string[] }[] {
    const leaders = new Map<number, Set<string>>();
    for (const e of this.events) {
      const m = /^(?:became leader|leads) in term (\d+)$/.exec(e.text);
      if (m === null) continue;
      const term = Number(m[1]);
      let set = leaders.get(term);
      if (set === undefined) leaders.set(term, (set = new Set()));
      set.add(e.node);
    }
    return [...leaders].filter(([, nodes]) => nodes.size > 1).map(([term, nodes]) => ({ term, nodes: [...nodes] }));
  }
}

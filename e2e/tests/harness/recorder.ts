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

export class Recorder {
  readonly events: NodeEvent[] = [];
  readonly #calls = new Map<string, Call>();
  readonly #returned = new Map<string, HistoryOp>();

  hear(kind: string, data: Record<string, unknown>): void {
    if (kind === 'event') this.events.push({ node: String(data.node), time: Number(data.time), text: String(data.text) });
    if (kind === 'call') this.#calls.set(String(data.id), data as unknown as Call);
    if (kind === 'return') this.#returned.set(String(data.id), data.op as HistoryOp);
  }

  /** The history so far; an operation that never returned (its tab died) is unknown. */
  history(): HistoryOp[] {
    return [...this.#calls].map(([id, c]) => {
      const op = this.#returned.get(id);
      return op ?? { client: c.client, input: c.input, output: null, call: c.call, return: Infinity, type: 'info' as const };
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

/**
 * A linearizability checker for key-value histories after Wing & Gong, with Lowe's cache of
 * visited (linearized set, state) configurations. Linearizability is local (Herlihy & Wing),
 * so each key's sub-history is checked on its own as a register with get / put / cas.
 *
 * `fail` operations took no effect and are dropped. `info` operations may or may not have
 * taken effect at any time after their call: their return is treated as +∞, and since one
 * can always be placed after every other operation where nothing observes it, the search
 * succeeds once every completed operation is placed. For the same reason an `info` write
 * whose value nobody observed (no completed read returned it, no cas expected it) is
 * dropped before the search: a long outage leaves many of them, and each open operation
 * doubles the search space.
 */
import type { HistoryOp } from './history.ts';

export type LinearizabilityResult =
  | { readonly ok: true; readonly keys: number; readonly ops: number }
  | {
      readonly ok: false;
      readonly key: string;
      /** The key's operations that entered the search, in call order. */
      readonly ops: readonly HistoryOp[];
      /** A completed operation that could not be placed in the longest linearization found. */
      readonly stuck: HistoryOp | undefined;
      /** Operations of that longest linearization, in order. */
      readonly longestPrefix: readonly HistoryOp[];
      /** True when the search gave up (budget exhausted) rather than proving a violation. */
      readonly undecided: boolean;
    };

export interface CheckOptions {
  /** Search steps per key before giving up with `undecided`. @default 5_000_000 */
  readonly maxSteps?: number;
}

type State = string | null;

interface Node {
  readonly op: number;
  readonly isCall: boolean;
  readonly time: number;
  prev: Node | undefined;
  next: Node | undefined;
  /** For a call: its return node (undefined for an info op). */
  match: Node | undefined;
}

export function checkLinearizable(history: readonly HistoryOp[], options: CheckOptions = {}): LinearizabilityResult {
  const byKey = new Map<string, HistoryOp[]>();
  const observed = new Set<string>();
  for (const op of history) {
    if (op.type === 'ok' && op.input.op === 'get' && typeof op.output === 'string') observed.add(`${op.input.key}\u0000${op.output}`);
    if (op.type !== 'fail' && op.input.op === 'cas' && typeof op.input.expected === 'string') {
      observed.add(`${op.input.key}\u0000${op.input.expected}`);
    }
  }
  let count = 0;
  for (const op of history) {
    if (op.type === 'fail') continue;
    if (op.type === 'info') {
      // An unanswered read has no effect on the state and nothing observed it.
      if (op.input.op === 'get') continue;
      if (!observed.has(`${op.input.key}\u0000${op.input.value ?? ''}`)) continue;
    }
    let list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, (list = []));
    list.push(op);
    count++;
  }
  for (const key of [...byKey.keys()].sort()) {
    const ops = (byKey.get(key) as HistoryOp[]).slice().sort((a, b) => a.call - b.call);
    const result = checkRegister(key, ops, options.maxSteps ?? 5_000_000);
    if (!result.ok) return result;
  }
  return { ok: true, keys: byKey.size, ops: count };
}

/** The register model: returns the state after `op`, or `undefined` if `op` cannot happen in `state`. */
function stepModel(state: State, op: HistoryOp): State | undefined {
  const input = op.input;
  const known = op.type === 'ok';
  switch (input.op) {
    case 'get':
      return op.output === state ? state : undefined;
    case 'put':
      return input.value ?? null;
    case 'cas':
      if (state === (input.expected ?? null)) return input.value ?? null;
      // An unknown cas may simply have found another value; a completed one must have matched.
      return known ? undefined : state;
  }
}

function checkRegister(key: string, ops: readonly HistoryOp[], maxSteps: number): LinearizabilityResult {
  const events: Node[] = [];
  const head: Node = { op: -1, isCall: false, time: -Infinity, prev: undefined, next: undefined, match: undefined };
  let remaining = 0;
  ops.forEach((op, i) => {
    const call: Node = { op: i, isCall: true, time: op.call, prev: undefined, next: undefined, match: undefined };
    events.push(call);
    if (op.type === 'ok') {
      const ret: Node = { op: i, isCall: false, time: op.return, prev: undefined, next: undefined, match: undefined };
      call.match = ret;
      events.push(ret);
      remaining++;
    }
  });
  // Returns sort before calls at the same instant: an operation that ended at t precedes one begun at t.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? 1 : -1));
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }

  const words = Math.ceil(ops.length / 32);
  const linearized = new Uint32Array(words);
  const seen = new Set<string>();
  const stack: { node: Node; state: State }[] = [];
  let state: State = null;
  let entry = head.next;
  let longest: number[] = [];
  let stuck: number | undefined;
  let steps = 0;

  const lift = (n: Node): void => {
    (n.prev as Node).next = n.next;
    if (n.next) n.next.prev = n.prev;
    const m = n.match;
    if (m) {
      (m.prev as Node).next = m.next;
      if (m.next) m.next.prev = m.prev;
    }
  };
  const unlift = (n: Node): void => {
    const m = n.match;
    if (m) {
      (m.prev as Node).next = m;
      if (m.next) m.next.prev = m;
    }
    (n.prev as Node).next = n;
    if (n.next) n.next.prev = n;
  };

  while (remaining > 0) {
    if (++steps > maxSteps) {
      return { ok: false, key, ops, stuck: undefined, longestPrefix: longest.map((i) => ops[i] as HistoryOp), undecided: true };
    }
    if (entry === undefined) break;
    if (entry.isCall) {
      const op = ops[entry.op] as HistoryOp;
      const next = stepModel(state, op);
      if (next !== undefined) {
        linearized[entry.op >> 5] = (linearized[entry.op >> 5] as number) | (1 << (entry.op & 31));
        const config = `${linearized.join(',')}|${next === null ? '\u0000' : next}`;
        if (!seen.has(config)) {
          seen.add(config);
          stack.push({ node: entry, state });
          state = next;
          if (op.type === 'ok') remaining--;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.op >> 5] = (linearized[entry.op >> 5] as number) & ~(1 << (entry.op & 31));
      }
      entry = entry.next;
    } else {
      // A completed operation returned before anything placed it: undo the last choice.
      if (stack.length >= longest.length) {
        longest = stack.map((s) => s.node.op);
        stuck = entry.op;
      }
      const top = stack.pop();
      if (top === undefined) break;
      state = top.state;
      const op = ops[top.node.op] as HistoryOp;
      if (op.type === 'ok') remaining++;
      linearized[top.node.op >> 5] = (linearized[top.node.op >> 5] as number) & ~(1 << (top.node.op & 31));
      unlift(top.node);
      entry = top.node.next;
    }
  }
  if (remaining === 0) return { ok: true, keys: 1, ops: ops.length };
  return {
    ok: false,
    key,
    ops,
    stuck: stuck === undefined ? undefined : ops[stuck],
    longestPrefix: longest.map((i) => ops[i] as HistoryOp),
    undecided: false,
  };
}

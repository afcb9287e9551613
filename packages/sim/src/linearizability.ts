/**
 * A linearizability checker for key-value histories. A map is P-compositional in its keys
 * (Horn & Kroening; locality, Herlihy & Wing), so each key's sub-history is checked on its own
 * as a register with get / put / cas, by the search in `register-search.ts`.
 *
 * How the history's records enter the search:
 * - `ok` operations must be placed between their call and their return; two operations whose
 *   times touch (one's call equals the other's return) are concurrent and may go either way.
 * - `fail` operations took no effect and are dropped, except a cas that reports the value it
 *   found (`{ applied: false, value }`): it read that value, so it must be placed where the
 *   state holds it.
 * - `info` operations may have taken effect at any time after their call, or never: they are
 *   optional and have no return. An unanswered read is dropped (it changes nothing and nobody
 *   saw its result), and so is an unknown write whose value no operation reads.
 */
import { isCasMiss, type HistoryOp } from './history.ts';
import { ANY, IMPOSSIBLE, KEEP, dropUnreadOptional, searchRegister, type RegisterOp } from './register-search.ts';

export interface Linearizable {
  readonly ok: true;
  readonly verdict: 'linearizable';
  readonly keys: number;
  /** Operations that entered the search (after dropping those that cannot matter). */
  readonly ops: number;
  /** Placements tried, over all keys. */
  readonly steps: number;
}

interface NotShown {
  readonly ok: false;
  readonly key: string;
  /** The key's operations that entered the search, in call order. */
  readonly ops: readonly HistoryOp[];
  /** A required operation that could not be placed after the longest linearization found. */
  readonly stuck: HistoryOp | undefined;
  /** Operations of that longest linearization, in order. */
  readonly longestPrefix: readonly HistoryOp[];
  /** Placements tried, over the keys checked. */
  readonly steps: number;
}

/** No linearization exists: the search tried every distinct configuration. */
export interface Violated extends NotShown {
  readonly verdict: 'violated';
  readonly undecided: false;
}

/** The search stopped at its budget before finding a linearization or proving there is none. */
export interface Undecided extends NotShown {
  readonly verdict: 'undecided';
  readonly undecided: true;
  readonly reason: string;
}

export type LinearizabilityResult = Linearizable | Violated | Undecided;

export interface CheckOptions {
  /** Placements tried per key before giving up with `undecided`. @default 5_000_000 */
  readonly maxSteps?: number;
}

export class CheckOptionsError extends Error {
  override readonly name = 'CheckOptionsError';
}

interface KeyOp extends RegisterOp {
  readonly source: HistoryOp;
}

/**
 * Checks every key; a violation on any key is the answer, else an undecided key, else
 * linearizable. Keys are checked in sorted order.
 */
export function checkLinearizable(history: readonly HistoryOp[], options: CheckOptions = {}): LinearizabilityResult {
  const maxSteps = options.maxSteps ?? 5_000_000;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new CheckOptionsError(`maxSteps must be a positive integer, got ${maxSteps}`);
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) {
    let list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, (list = []));
    list.push(op);
  }
  let steps = 0;
  let count = 0;
  let undecided: Omit<Undecided, 'steps'> | undefined;
  for (const key of [...byKey.keys()].sort()) {
    const { ops, values } = registerOps(byKey.get(key) as HistoryOp[]);
    count += ops.length;
    const outcome = searchRegister(ops, values, maxSteps);
    steps += outcome.steps;
    if (outcome.verdict === 'linearizable') continue;
    const found = {
      ok: false as const,
      key,
      ops: ops.map((op) => op.source),
      stuck: outcome.stuck === undefined ? undefined : (ops[outcome.stuck] as KeyOp).source,
      longestPrefix: outcome.longest.map((i) => (ops[i] as KeyOp).source),
    };
    if (outcome.verdict === 'violated') return { ...found, verdict: 'violated', undecided: false, steps };
    undecided ??= {
      ...found,
      verdict: 'undecided',
      undecided: true,
      reason: `search budget of ${maxSteps} placements exhausted on key ${key} (${ops.length} operations)`,
    };
  }
  if (undecided !== undefined) return { ...undecided, steps };
  return { ok: true, verdict: 'linearizable', keys: byKey.size, ops: count, steps };
}

/** One key's operations as register operations, sorted by call, with value ids (0: absent). */
function registerOps(history: readonly HistoryOp[]): { ops: KeyOp[]; values: number } {
  const ids = new Map<string | null, number>([[null, 0]]);
  const id = (value: string | null | undefined): number => {
    const v = value ?? null;
    let n = ids.get(v);
    if (n === undefined) ids.set(v, (n = ids.size));
    return n;
  };
  const ops: KeyOp[] = [];
  for (const source of [...history].sort((a, b) => a.call - b.call)) {
    const { input, output, type, call } = source;
    const required = type !== 'info';
    const ret = required ? source.return : Infinity;
    if (input.op === 'cas' && type !== 'info' && isCasMiss(output)) {
      // It found `value` and so did not apply; finding what it expected would have applied it.
      const found = output.value === (input.expected ?? null) ? IMPOSSIBLE : id(output.value);
      ops.push({ source, call, ret, required, reads: found, writes: KEEP });
    } else if (type === 'fail' || (type === 'info' && input.op === 'get')) {
    } else if (input.op === 'get') {
      ops.push({ source, call, ret, required, reads: id(typeof output === 'string' ? output : null), writes: KEEP });
    } else if (input.op === 'put') {
      ops.push({ source, call, ret, required, reads: ANY, writes: id(input.value) });
    } else {
      ops.push({ source, call, ret, required, reads: id(input.expected), writes: id(input.value) });
    }
  }
  return { ops: dropUnreadOptional(ops, ids.size), values: ids.size };
}

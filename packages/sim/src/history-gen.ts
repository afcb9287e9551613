/**
 * Synthetic key-value histories for testing and measuring the linearizability checker.
 *
 * `generateHistory` runs one sequential execution of get / put / cas on a map and then
 * stretches each operation into a window around its point in that execution, so the history
 * it returns is linearizable by construction (the execution order is a witness). Clients run
 * one operation at a time; windows of different clients overlap freely. `mutateHistory` then
 * edits one completed read so that no linearization exists.
 */
import type { HistoryOp, KvInput } from './history.ts';
import { Random } from './random.ts';

export interface HistoryGenOptions {
  readonly seed: number;
  /** @default 2000 */
  readonly ops?: number;
  /** Concurrent clients, each with one operation in flight at a time. @default 20 */
  readonly clients?: number;
  /** Keys k1…kN. @default 3 */
  readonly keys?: number;
  /** Share of operations whose outcome the client never learns (`info`). @default 0.05 */
  readonly infoRate?: number;
  /** Share of writes that definitely did not happen (`fail`, e.g. refused before proposal). @default 0.02 */
  readonly failRate?: number;
  /** Longest time from call to effect, and from effect to return. @default 50 */
  readonly latency?: number;
  /** Longest pause of a client between two operations. @default 20 */
  readonly think?: number;
  /**
   * How a cas that did not apply is recorded: `'value'` gives `{ applied: false, value }`
   * (the value it found), `'boolean'` the older `false`. @default 'value'
   */
  readonly casMiss?: 'value' | 'boolean';
}

interface Planned {
  readonly client: string;
  readonly input: KvInput;
  readonly call: number;
  /** The instant the operation takes effect in the sequential execution. */
  readonly at: number;
  readonly return: number;
  readonly outcome: 'ok' | 'fail' | 'info';
  /** For `info`: whether it took effect after all. */
  readonly applied: boolean;
  readonly order: number;
}

export function generateHistory(options: HistoryGenOptions): HistoryOp[] {
  const random = new Random(options.seed);
  const ops = options.ops ?? 2000;
  const clients = options.clients ?? 20;
  const keys = options.keys ?? 3;
  const infoRate = options.infoRate ?? 0.05;
  const failRate = options.failRate ?? 0.02;
  const latency = options.latency ?? 50;
  const think = options.think ?? 20;
  const free = Array.from({ length: clients }, () => random.int(0, think));
  const seq = new Array<number>(clients).fill(0);
  const written = new Map<string, string[]>();
  const planned: Planned[] = [];
  for (let order = 0; order < ops; order++) {
    let c = 0;
    for (let i = 1; i < clients; i++) if ((free[i] as number) < (free[c] as number)) c = i;
    const client = `c${c}`;
    const key = `k${random.int(1, keys)}`;
    const value = `${client}.${++(seq[c] as number)}`;
    const history = written.get(key) ?? [];
    const roll = random.next();
    let input: KvInput;
    if (roll < 0.4) input = { op: 'get', key };
    else if (roll < 0.7) input = { op: 'put', key, value };
    else {
      // Mostly a recent value of the key, so that some cas apply and some miss.
      const recent = history.slice(-3);
      const expected = recent.length > 0 && random.chance(0.85) ? random.pick(recent) : null;
      input = { op: 'cas', key, value, expected };
    }
    if (input.op !== 'get') written.set(key, [...history.slice(-5), value]);
    const call = free[c] as number;
    const outcome = random.chance(infoRate) ? 'info' : input.op !== 'get' && random.chance(failRate) ? 'fail' : 'ok';
    let at = call + random.int(0, latency);
    let ret = at + random.int(0, latency);
    if (outcome === 'info') {
      // The client gives up at `ret`; the operation may still take effect long after.
      ret = call + latency * 2;
      at = call + random.int(0, latency * 6);
    }
    planned.push({ client, input, call, at, return: ret, outcome, applied: random.chance(0.5), order });
    free[c] = ret + random.int(0, think);
  }
  return execute(planned, options.casMiss ?? 'value');
}

/** Applies the planned operations in the order of their effect and records what each client saw. */
function execute(planned: readonly Planned[], casMiss: 'value' | 'boolean'): HistoryOp[] {
  const data = new Map<string, string>();
  const outputs = new Map<number, { output: HistoryOp['output']; type: HistoryOp['type'] }>();
  for (const p of [...planned].sort((a, b) => a.at - b.at || a.order - b.order)) {
    const { key } = p.input;
    const current = data.get(key) ?? null;
    const takesEffect = p.outcome === 'ok' || (p.outcome === 'info' && p.applied);
    switch (p.input.op) {
      case 'get':
        outputs.set(p.order, p.outcome === 'ok' ? { output: current, type: 'ok' } : { output: null, type: 'info' });
        break;
      case 'put':
        if (takesEffect) data.set(key, p.input.value as string);
        outputs.set(p.order, { output: null, type: p.outcome });
        break;
      case 'cas': {
        const matches = current === (p.input.expected ?? null);
        if (takesEffect && matches) data.set(key, p.input.value as string);
        if (p.outcome !== 'ok') outputs.set(p.order, { output: null, type: p.outcome });
        else if (matches) outputs.set(p.order, { output: true, type: 'ok' });
        else outputs.set(p.order, { output: casMiss === 'value' ? { applied: false, value: current } : false, type: 'fail' });
      }
    }
  }
  return planned
    .map((p): HistoryOp => {
      const { output, type } = outputs.get(p.order) as { output: HistoryOp['output']; type: HistoryOp['type'] };
      return { client: p.client, input: p.input, output, call: p.call, return: p.return, type };
    })
    .sort((a, b) => a.call - b.call);
}

export interface Mutation {
  readonly history: HistoryOp[];
  /** Index in `history` of the read that was changed. */
  readonly index: number;
  readonly description: string;
}

/**
 * Breaks a history by changing what one completed read returned:
 * - `'stale'`: a value that a completed write had overwritten before the read began, and that
 *   nothing wrote again (values must be unique per write, as `generateHistory` makes them);
 * - `'ghost'`: a value nobody wrote.
 * The read is chosen at random among those at or after `from` (a share of the history).
 */
export function mutateHistory(history: readonly HistoryOp[], seed: number, kind: 'stale' | 'ghost', from = 0.5): Mutation {
  const random = new Random(seed);
  const reads = history
    .map((op, index) => ({ op, index }))
    .filter(({ op, index }) => op.type === 'ok' && op.input.op === 'get' && index >= Math.floor(history.length * from));
  for (const { op, index } of random.shuffle(reads)) {
    const value = kind === 'ghost' ? '\u2205never-written' : staleValue(history, op);
    if (value === undefined) continue;
    const copy = history.slice();
    copy[index] = { ...op, output: value };
    return { history: copy, index, description: `${kind} read of ${op.input.key}: ${JSON.stringify(value)} instead of ${JSON.stringify(op.output)}` };
  }
  throw new RangeError(`no read in the history can be made ${kind}`);
}

/** A value `w` wrote, where a completed write `w2` follows `w` in real time and precedes `read`. */
function staleValue(history: readonly HistoryOp[], read: HistoryOp): string | undefined {
  const writes = history.filter(
    (op) => op.input.key === read.input.key && op.type === 'ok' && (op.input.op === 'put' || (op.input.op === 'cas' && op.output === true)),
  );
  const writers = new Map<string, number>();
  for (const op of history) if (op.input.key === read.input.key && op.input.value !== undefined) writers.set(op.input.value, (writers.get(op.input.value) ?? 0) + 1);
  // The most recently overwritten value first: the hardest lie to catch.
  for (const w of writes.reverse()) {
    const value = w.input.value as string;
    if (writers.get(value) !== 1 || value === read.output) continue;
    if (writes.some((w2) => w2 !== w && w.return < w2.call && w2.return < read.call && w2.input.value !== value)) return value;
  }
  return undefined;
}

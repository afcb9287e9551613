/**
 * A reference for the checker on tiny histories, and generators of such histories.
 *
 * The reference: tries every subset of the unknown operations
 * and every order of the operations, straight from the definitions (real-time order with
 * touching times concurrent, a map with get / put / cas from empty). Exponential; for a
 * handful of operations only.
 */
import { generateHistory } from '../src/history-gen.ts';
import { isCasMiss, type HistoryOp, type KvInput } from '../src/history.ts';
import type { Random } from '../src/random.ts';

export function bruteForceLinearizable(history: readonly HistoryOp[]): boolean {
  const required: HistoryOp[] = [];
  const optional: HistoryOp[] = [];
  for (const op of history) {
    const miss = op.input.op === 'cas' && op.type !== 'info' && isCasMiss(op.output);
    if (op.type === 'ok' || miss) required.push(op);
    else if (op.type === 'info' && op.input.op !== 'get') optional.push(op);
  }
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const chosen = [...required, ...optional.filter((_, i) => (mask >> i) & 1)];
    if (someOrder(chosen, new Map(), new Array<boolean>(chosen.length).fill(false), 0)) return true;
  }
  return false;
}

const end = (op: HistoryOp): number => (op.type === 'info' ? Infinity : op.return);

function someOrder(ops: readonly HistoryOp[], data: Map<string, string>, used: boolean[], count: number): boolean {
  if (count === ops.length) return true;
  for (let i = 0; i < ops.length; i++) {
    if (used[i]) continue;
    const op = ops[i] as HistoryOp;
    // `op` may come next unless an operation still to come returned strictly before it was called.
    if (ops.some((other, j) => !used[j] && j !== i && end(other) < op.call)) continue;
    const next = apply(op, data);
    if (next === undefined) continue;
    used[i] = true;
    if (someOrder(ops, next, used, count + 1)) return true;
    used[i] = false;
  }
  return false;
}

function apply(op: HistoryOp, data: Map<string, string>): Map<string, string> | undefined {
  const { key, value, expected } = op.input;
  const current = data.get(key) ?? null;
  const write = (): Map<string, string> => new Map(data).set(key, value as string);
  switch (op.input.op) {
    case 'get':
      return op.output === current ? data : undefined;
    case 'put':
      return write();
    case 'cas':
      if (isCasMiss(op.output)) return op.output.value === current && current !== (expected ?? null) ? data : undefined;
      return current === (expected ?? null) ? write() : undefined;
  }
}

/** Up to seven operations on one or two keys over a two- or three-letter alphabet, with touching times. */
export function randomTinyHistory(random: Random): HistoryOp[] {
  const values = ['a', 'b', 'c'].slice(0, random.int(2, 3));
  const keys = random.chance(0.7) ? ['x'] : ['x', 'y'];
  return Array.from({ length: random.int(1, 7) }, (_, i): HistoryOp => {
    const key = random.pick(keys);
    const call = random.int(0, 12);
    const type = random.chance(0.15) ? 'info' : random.chance(0.1) ? 'fail' : 'ok';
    const roll = random.next();
    const client = `c${i}`;
    const ret = call + random.int(0, 6);
    if (roll < 0.4) return { client, input: { op: 'get', key }, output: random.chance(0.3) ? null : random.pick(values), call, return: ret, type };
    if (roll < 0.7) return { client, input: { op: 'put', key, value: random.pick(values) }, output: null, call, return: ret, type };
    const input: KvInput = { op: 'cas', key, value: random.pick(values), expected: random.chance(0.3) ? null : random.pick(values) };
    const found = random.chance(0.3) ? null : random.pick(values);
    const output = type === 'ok' ? true : type === 'info' ? null : random.chance(0.7) ? { applied: false as const, value: found } : false;
    return { client, input, output, call, return: ret, type };
  });
}

/**
 * A small generated history (linearizable), then, each half the time: values folded onto two
 * letters (so writes repeat values and a recorded cas miss may contradict its input) and one
 * operation's output, call or type changed.
 */
export function perturbedGenerated(random: Random): HistoryOp[] {
  const casMiss = random.chance(0.5) ? 'value' : 'boolean';
  let h = generateHistory({ seed: random.nextUint32(), ops: random.int(2, 8), clients: random.int(2, 4), keys: 1, infoRate: 0.25, failRate: 0.1, latency: 10, think: 3, casMiss });
  const fold = (v: string): string => (v.length % 2 === 0 ? 'a' : 'b');
  if (random.chance(0.5)) {
    h = h.map((op) => ({
      ...op,
      input: {
        ...op.input,
        ...(op.input.value !== undefined ? { value: fold(op.input.value) } : {}),
        ...(typeof op.input.expected === 'string' ? { expected: fold(op.input.expected) } : {}),
      },
      output: typeof op.output === 'string' ? fold(op.output) : isCasMiss(op.output) && op.output.value !== null ? { applied: false, value: fold(op.output.value) } : op.output,
    }));
  }
  if (random.chance(0.5)) {
    const i = random.int(0, h.length - 1);
    const op = h[i] as HistoryOp;
    const call = Math.min(op.return, op.call + random.int(-3, 3));
    const output = op.input.op === 'get' ? random.pick([null, 'a', 'b', op.output]) : op.output;
    h[i] = { ...op, output, call, type: random.chance(0.2) ? 'info' : op.type };
  }
  return h;
}

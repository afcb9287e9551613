/**
 * Client histories in the project's JSON format (DESIGN.md): one object per operation,
 * `ok` = took effect with this output, `fail` = definitely did not take effect, `info` =
 * unknown (e.g. the client gave up after a timeout). Times come from one monotonic clock.
 */
export type KvOp = 'get' | 'put' | 'cas';

export interface KvInput {
  readonly op: KvOp;
  readonly key: string;
  /** The value written by `put`, or the new value of `cas`. */
  readonly value?: string;
  /** The value `cas` expects to find (`null`: the key is absent). */
  readonly expected?: string | null;
}

export type OpType = 'ok' | 'fail' | 'info';

/** The output of a `cas` that did not apply because it found `value` (`null`: the key was absent). */
export interface CasMiss {
  readonly applied: false;
  readonly value: string | null;
}

export type OpOutput = string | boolean | CasMiss | null;

export function isCasMiss(output: OpOutput): output is CasMiss {
  return typeof output === 'object' && output !== null;
}

export interface HistoryOp {
  readonly client: string;
  readonly input: KvInput;
  /**
   * `get`: the value read (`null` if absent); `put`: `null`; `cas`: `true` when it applied; a
   * `cas` that did not apply (`fail`): `{ applied: false, value }` with the value it found, or
   * `false` when that is not known (older histories). Unknown: `null`.
   */
  readonly output: OpOutput;
  readonly call: number;
  /** When the client saw the outcome (or gave up, for `info`). */
  readonly return: number;
  readonly type: OpType;
}

export class HistoryFormatError extends Error {
  override readonly name = 'HistoryFormatError';
}

export function historyToJson(history: readonly HistoryOp[]): string {
  return `[\n${history.map((op) => JSON.stringify(op)).join(',\n')}\n]\n`;
}

/** Parses and validates a history; throws {@link HistoryFormatError} naming the bad field. */
export function historyFromJson(text: string): HistoryOp[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HistoryFormatError(`not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new HistoryFormatError('a history is a JSON array of operations');
  return raw.map((item, i) => parseOp(item, i));
}

function parseOp(item: unknown, i: number): HistoryOp {
  const fail = (what: string): never => {
    throw new HistoryFormatError(`operation ${i}: ${what}`);
  };
  if (typeof item !== 'object' || item === null) return fail('not an object');
  const o = item as Record<string, unknown>;
  if (typeof o.client !== 'string' && typeof o.client !== 'number') fail('client must be a string or number');
  const input = o.input as Record<string, unknown> | undefined;
  if (typeof input !== 'object' || input === null) return fail('input must be an object');
  if (input.op !== 'get' && input.op !== 'put' && input.op !== 'cas') fail(`unknown op ${String(input.op)}`);
  if (typeof input.key !== 'string') fail('input.key must be a string');
  if (input.op !== 'get' && typeof input.value !== 'string') fail(`${String(input.op)} needs a string value`);
  if (input.op === 'cas' && typeof input.expected !== 'string' && input.expected !== null) {
    fail('cas needs expected (a string or null)');
  }
  if (o.type !== 'ok' && o.type !== 'fail' && o.type !== 'info') fail(`unknown type ${String(o.type)}`);
  if (typeof o.call !== 'number' || !Number.isFinite(o.call)) fail('call must be a finite number');
  const ret = o.return === null || o.return === undefined ? Infinity : o.return;
  if (typeof ret !== 'number' || Number.isNaN(ret)) fail('return must be a number');
  if ((ret as number) < (o.call as number)) fail('return precedes call');
  const output = o.output === undefined ? null : o.output;
  if (typeof output === 'object' && output !== null) {
    const miss = output as Record<string, unknown>;
    if (input.op !== 'cas') fail('only a cas output may be an object');
    if (miss.applied !== false || (typeof miss.value !== 'string' && miss.value !== null) || Object.keys(miss).length !== 2) {
      fail('a cas output object must be { "applied": false, "value": <string or null> }');
    }
    if (o.type === 'info') fail('an info operation has no known output, but this cas reports the value it found');
  } else if (output !== null && typeof output !== 'string' && typeof output !== 'boolean') {
    fail('output must be a string, boolean, null or a cas miss object');
  }
  if (o.type === 'ok' && input.op === 'get' && typeof output !== 'string' && output !== null) fail('an ok get needs an output');
  const parsedInput: KvInput = {
    op: input.op as KvOp,
    key: input.key as string,
    ...(typeof input.value === 'string' ? { value: input.value } : {}),
    ...(input.op === 'cas' ? { expected: input.expected as string | null } : {}),
  };
  return {
    client: String(o.client),
    input: parsedInput,
    output: isCasMiss(output as OpOutput) ? { applied: false, value: (output as CasMiss).value } : (output as OpOutput),
    call: o.call as number,
    return: ret as number,
    type: o.type as OpType,
  };
}

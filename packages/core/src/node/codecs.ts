import type { CommandCodec } from './state-machine.ts';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * A value {@link jsonCodec} refuses because JSON would not bring it back as it is: a `Date`
 * would arrive as a string, a `Map` as `{}`, `NaN` as `null`, a cycle cannot be written at all.
 * `path` says where (`command.items[2].when`), `problem` what.
 */
export class JsonCodecError extends Error {
  override readonly name = 'JsonCodecError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export interface JsonCodecOptions {
  /** What error paths call the encoded value. @default 'command' */
  readonly label?: string;
  /**
   * Check every value before it is encoded and refuse what JSON would change with a
   * {@link JsonCodecError}. Without the check such values are encoded as `JSON.stringify` has it.
   * @default true
   */
  readonly strict?: boolean;
}

/**
 * The default command and result codec: JSON text in UTF-8. `undefined` (a state machine
 * that returns nothing) travels as zero bytes. Only what JSON brings back unchanged is
 * encoded: plain objects, arrays, strings, finite numbers, booleans and `null` (a property
 * whose value is `undefined` is left out, as JSON does). Anything else throws a
 * {@link JsonCodecError} naming where it is, instead of reaching the other nodes altered.
 */
export function jsonCodec<T>(options: JsonCodecOptions = {}): CommandCodec<T> {
  const { label = 'command', strict = true } = options;
  return {
    encode: (value: T) => {
      if (value === undefined) return new Uint8Array(0);
      if (strict && !isPlainData(value, 0)) {
        const found = findNonJson(value, []);
        if (found !== undefined) throw new JsonCodecError(formatPath(label, found.path), found.problem);
      }
      return utf8.encode(JSON.stringify(value));
    },
    decode: (bytes: Uint8Array) => (bytes.length === 0 ? undefined : JSON.parse(utf8Decoder.decode(bytes))) as T,
  };
}

/**
 * Commands that already are bytes, passed through untouched (no copy). On apply a command is
 * a view into a buffer shared with other entries: `slice()` it before transferring it, or to
 * keep it without holding that buffer.
 */
export const bytesCodec: CommandCodec<Uint8Array> = /* @__PURE__ */ Object.freeze({
  encode: (command: Uint8Array) => command,
  decode: (bytes: Uint8Array) => bytes,
});

/** Past this depth the quick check gives up and leaves the answer to {@link findNonJson}. */
const quickDepth = 64;

/**
 * The quick check, for the common case: true when `value` is plain data no deeper than
 * {@link quickDepth} (so it holds no cycle). False says only "look closer".
 */
function isPlainData(value: unknown, depth: number): boolean {
  // `x - x` is 0 for finite numbers only.
  if (typeof value !== 'object') return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && value - value === 0);
  if (value === null) return true;
  if (depth === quickDepth) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Array.prototype) {
    const array = value as readonly unknown[];
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (typeof item === 'string' || item === null || (typeof item === 'number' && item - item === 0)) continue;
      if (item === undefined || !isPlainData(item, depth + 1)) return false;
    }
    return true;
  }
  if (prototype !== Object.prototype && prototype !== null) return false;
  // Only own enumerable keys: the prototype is Object.prototype or null.
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'string' || item == null || (typeof item === 'number' && item - item === 0)) continue;
    if (!isPlainData(item, depth + 1)) return false;
  }
  return true;
}

/** Where a value JSON would change sits (keys from the outside in), and what it is. */
interface NonJson {
  readonly path: (string | number)[];
  readonly problem: string;
}

/**
 * The first part of `value` that JSON would not bring back as it is, found the slow way once the
 * quick check said no. `ancestors` holds the objects being walked, to tell a cycle from an object
 * that is merely shared.
 */
function findNonJson(value: unknown, ancestors: object[]): NonJson | undefined {
  const problem = primitiveProblem(value);
  if (problem !== undefined) return { path: [], problem };
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype && prototype !== null) {
    return { path: [], problem: `${describeClass(prototype)} is not JSON` };
  }
  if (ancestors.includes(value)) return { path: [], problem: 'a cycle: this refers back to a value that contains it' };
  ancestors.push(value);
  const found = prototype === Array.prototype ? findInArray(value as unknown[], ancestors) : findInObject(value as Record<string, unknown>, ancestors);
  ancestors.pop();
  return found;
}

function findInArray(array: readonly unknown[], ancestors: object[]): NonJson | undefined {
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (typeof item === 'string' || typeof item === 'boolean' || item === null) continue;
    // A hole reads as undefined too, and arrives as null just the same.
    const found = item === undefined ? { path: [], problem: 'undefined in an array is not JSON (it would arrive as null)' } : findNonJson(item, ancestors);
    if (found !== undefined) {
      found.path.unshift(i);
      return found;
    }
  }
  return undefined;
}

function findInObject(object: Record<string, unknown>, ancestors: object[]): NonJson | undefined {
  // Only own enumerable keys: the prototype is Object.prototype or null.
  for (const key in object) {
    const item = object[key];
    if (typeof item === 'string' || typeof item === 'boolean' || item == null) continue;
    const found = findNonJson(item, ancestors);
    if (found !== undefined) {
      found.path.unshift(key);
      return found;
    }
  }
  return undefined;
}

function primitiveProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? undefined : `${value} is not JSON (it would arrive as null)`;
    case 'bigint':
      return 'a BigInt is not JSON';
    case 'function':
      return 'a function is not JSON';
    case 'symbol':
      return 'a symbol is not JSON';
    default:
      return undefined;
  }
}

function describeClass(prototype: unknown): string {
  const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'an object with a class';
}

function formatPath(label: string, path: readonly (string | number)[]): string {
  let out = label;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}


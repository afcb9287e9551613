/**
 * A tiny assertion kit so the conformance suites run under any test runner (vitest, Deno,
 * a bare browser page) without depending on one.
 */

export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

/** Structural equality; Uint8Arrays compare by content, a missing key equals `undefined`. */
export function assertEqual(actual: unknown, expected: unknown, message: string): void {
  const difference = differ(actual, expected, '');
  if (difference !== undefined) throw new ConformanceError(`${message}: ${difference}`);
}

/** Awaits `promise` and checks it rejects with an Error whose `code` (or `reason`) is `code`. */
export async function assertRejects(promise: Promise<unknown>, code: string, message: string): Promise<Error> {
  let outcome: unknown;
  try {
    await promise;
  } catch (error) {
    outcome = error;
  }
  assert(outcome !== undefined, `${message}: expected a rejection with code '${code}', but it resolved`);
  assert(outcome instanceof Error, `${message}: rejected with a non-Error ${String(outcome)}`);
  const got = (outcome as { code?: unknown; reason?: unknown }).code ?? (outcome as { reason?: unknown }).reason;
  assert(got === code, `${message}: expected code '${code}', got '${String(got)}' (${outcome.name}: ${outcome.message})`);
  return outcome;
}

function describeValue(value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `array(${value.length})`;
  return String(value);
}

function differ(actual: unknown, expected: unknown, path: string): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  const at = path === '' ? 'value' : path;
  if (expected instanceof Uint8Array || actual instanceof Uint8Array) {
    if (!(expected instanceof Uint8Array) || !(actual instanceof Uint8Array) || actual.length !== expected.length) {
      return `${at} is ${describeValue(actual)}, expected ${describeValue(expected)}`;
    }
    for (let i = 0; i < actual.length; i++) {
      if (actual[i] !== expected[i]) return `${at}[${i}] is ${actual[i]}, expected ${expected[i]}`;
    }
    return undefined;
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || actual.length !== expected.length) {
      return `${at} is ${describeValue(actual)}, expected ${describeValue(expected)}`;
    }
    for (let i = 0; i < actual.length; i++) {
      const d = differ(actual[i], expected[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      const d = differ(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        path === '' ? key : `${path}.${key}`,
      );
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return `${at} is ${describeValue(actual)}, expected ${describeValue(expected)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds or `timeoutMs` passes (then throws with `message`). */
export async function waitFor(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new ConformanceError(`timed out after ${timeoutMs} ms: ${message}`);
    await sleep(2);
  }
}

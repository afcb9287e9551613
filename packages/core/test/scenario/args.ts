/** Command-line parsing for scenario commands: `name pos1 pos2 key=value flag`. */

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

export interface Command {
  readonly name: string;
  readonly positional: readonly string[];
  readonly keys: ReadonlyMap<string, string>;
}

export function parseCommand(line: string): Command {
  const [name, ...rest] = line.split(/\s+/).filter((t) => t !== '');
  if (name === undefined) throw new ScenarioError('empty command');
  const positional: string[] = [];
  const keys = new Map<string, string>();
  for (const token of rest) {
    const eq = token.indexOf('=');
    if (eq > 0) keys.set(token.slice(0, eq), token.slice(eq + 1));
    else positional.push(token);
  }
  return { name, positional, keys };
}

export function intArg(value: string | undefined, what: string): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(n)) {
    throw new ScenarioError(`${what}: expected an integer, got ${value ?? 'nothing'}`);
  }
  return n;
}

export function boolArg(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ScenarioError(`expected true or false, got ${value}`);
}

export function listArg(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  return value.split(',').filter((v) => v !== '');
}

// Seeded, so election timeouts are the same on every run.
export { seededRandom } from '../../src/testing/random.ts';

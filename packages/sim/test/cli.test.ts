import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFromJson } from '../src/history.ts';

const cli = new URL('../src/cli/fuzz.ts', import.meta.url).pathname;
const fuzz = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('fuzz CLI', { timeout: 240_000 }, () => {
  it('prints the seed, the property, a replay command and a trace table for a failing seed, and exits 1', () => {
    const run = fuzz('--seeds', '3', '--from', '0', '--mutant', 'applyBeforeCommit', '--workers', '1', '--ops', '50');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAIL seed 0 \(\d nodes\): Apply Committed Only/);
    expect(run.stdout).toContain('replay: npm run fuzz -- --seeds 1 --from 0');
    expect(run.stdout).toMatch(/node {2}role {10}term {2}commit {2}last/);
    expect(run.stdout).toMatch(/n1 {4}(leader|follower|candidate|preCandidate|down)/);
  });

  it('saves a passing run history that --check accepts, and rejects a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const file = join(dir, 'history.json');
    const run = fuzz('--seeds', '2', '--from', '5', '--workers', '2', '--ops', '40', '--history', file);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('2 seeds (5…6)');
    const history = historyFromJson(readFileSync(file, 'utf8'));
    expect(history.length).toBeGreaterThanOrEqual(40);
    expect(fuzz('--check', file).stdout).toContain('linearizable');

    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify([
        { client: 'a', input: { op: 'put', key: 'x', value: '1' }, output: null, call: 0, return: 10, type: 'ok' },
        { client: 'b', input: { op: 'get', key: 'x' }, output: null, call: 20, return: 30, type: 'ok' },
      ]),
    );
    const check = fuzz('--check', bad);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('NOT linearizable on key x');
  });

  it('lists the mutants and refuses unknown options', () => {
    expect(fuzz('--list-mutants').stdout.split('\n')).toContain('countStaleVotes');
    const bad = fuzz('--seeds', 'many');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--seeds must be an integer');
  });
});

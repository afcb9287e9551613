import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli/args.ts';
import { checkExit, checkHistoryFile } from '../src/cli/check.ts';
import { generateHistory, mutateHistory } from '../src/history-gen.ts';
import { historyToJson } from '../src/history.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-check-'));
const save = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const good = generateHistory({ seed: 3, ops: 300, keys: 1 });
const goodFile = save('good.json', historyToJson(good));
const badFile = save('bad.json', historyToJson(mutateHistory(good, 3, 'stale').history));

function check(file: string, budget?: number): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = checkHistoryFile(file, budget, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('--check', () => {
  it('answers linearizable with exit 0', () => {
    const run = check(goodFile);
    expect(run.code).toBe(checkExit.linearizable);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/good\.json: linearizable \(\d+ operations on 1 keys; \d+ steps, \d+ ms\)/);
  });

  it('answers a violation with exit 1, the key and the operation that cannot be placed', () => {
    const run = check(badFile);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/NOT linearizable on key k1/);
    expect(run.out).toMatch(/cannot place: \{"client"/);
  });

  it('answers undecided with exit 3 when the budget runs out, and says how to go further', () => {
    const run = check(goodFile, 10);
    expect(run.code).toBe(checkExit.undecided);
    expect(run.code).toBe(3);
    expect(run.out).toMatch(/UNDECIDED: search budget of 10 placements exhausted on key k1/);
    expect(run.out).toContain('--check-budget');
    expect(run.out).not.toContain('NOT linearizable');
  });

  it('answers an unreadable or malformed file with exit 2 and the cause', () => {
    const missing = check(join(dir, 'missing.json'));
    expect(missing.code).toBe(checkExit.badInput);
    expect(missing.err).toContain('ENOENT');
    const malformed = check(save('malformed.json', '[{"client":"a"}]'));
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/operation 0: input must be an object/);
  });

  it('takes the budget from --check-budget, and only with --check', () => {
    expect(parseArgs(['--check', 'h.json', '--check-budget', '500'], 2)).toMatchObject({ check: 'h.json', checkBudget: 500 });
    expect(parseArgs(['--check', 'h.json'], 2).checkBudget).toBeUndefined();
    expect(() => parseArgs(['--check', 'h.json', '--check-budget', '0'], 2)).toThrow(/--check-budget must be an integer ≥ 1/);
    expect(() => parseArgs(['--check-budget', '5'], 2)).toThrow(UsageError);
  });

  it('reads options with their values inline or next, and names what is wrong', () => {
    expect(parseArgs([], 4)).toMatchObject({ seeds: 100, from: 0, ops: 300, clients: 6, nodes: undefined, workers: 4, traceSteps: 60, keepGoing: false, help: false });
    expect(parseArgs(['--seeds=5', '--from', '7', '--nodes', '5', '--keep-going', '--list-mutants'], 8)).toMatchObject({ seeds: 5, from: 7, nodes: 5, workers: 5, keepGoing: true, listMutants: true });
    expect(parseArgs(['-h'], 2).help).toBe(true);
    expect(parseArgs(['--help'], 2).help).toBe(true);
    expect(() => parseArgs(['--sedes', '5'], 2)).toThrow(new UsageError('unknown option --sedes'));
    expect(() => parseArgs(['5'], 2)).toThrow(new UsageError('unknown option 5'));
    expect(() => parseArgs(['--seeds'], 2)).toThrow(new UsageError('--seeds needs a value'));
    expect(() => parseArgs(['--from', '-1'], 2)).toThrow(UsageError);
    expect(() => parseArgs(['--from=-1'], 2)).toThrow(new UsageError('--from must be an integer ≥ 0, got -1'));
  });

  it('runs from the command line with its exit codes', { timeout: 60_000 }, () => {
    const cli = new URL('../src/cli/fuzz.ts', import.meta.url).pathname;
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 30_000 });
    const undecided = run('--check', goodFile, '--check-budget', '10');
    expect(undecided.status, undecided.stderr).toBe(3);
    expect(run('--check', badFile).status).toBe(1);
  });
});

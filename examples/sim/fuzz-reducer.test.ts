// The "Fuzz your reducer" example of docs/testing.md: the guide prints this directory's
// fuzz-reducer.ts as it is, the file runs as a reader would run it and finds its planted bug,
// and the fix the guide describes passes every seed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const example = readFileSync(join(here, 'fuzz-reducer.ts'), 'utf8');

/** Runs a TypeScript file with tsx; resolves with its output once it exits by itself. */
function run(script: string, deadlineMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit within ${deadlineMs} ms; it printed:\n${stdout}${stderr}`));
    }, deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

it('docs/testing.md prints fuzz-reducer.ts as it is, in at most 30 lines', () => {
  const guide = readFileSync(join(here, '../../docs/testing.md'), 'utf8');
  const section = guide.slice(guide.indexOf('## Fuzz your reducer'));
  expect(section).not.toBe(guide);
  expect(/```ts\n([\s\S]*?)```/.exec(section)?.[1]).toBe(example);
  expect(example.trimEnd().split('\n').length).toBeLessThanOrEqual(30);
});

it('finds the overdraft at seed 0 and prints the replay call and the trace', async () => {
  const { code, stdout, stderr } = await run(join(here, 'fuzz-reducer.ts'));
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^FAIL seed 0 \(3 nodes\): App Invariant\n {2}n\d overdraws: \{.*-\d+.*\}\n {2}at step \d+/);
  expect(stdout).toContain('replay: simulateApp({ ...options, seeds: [0] })\n');
  expect(stdout).toMatch(/dispatches d\d+ \{"from":"\w+","to":"\w+","amount":\d+\}/);
});

it('passes all 50 seeds with the fix the guide describes', async () => {
  const buggy = 'return withResult({ ...accounts,';
  expect(example).toContain(buggy);
  const fixed = example.replace(buggy, `if (accounts[from]! < amount) return withResult(accounts, false);\n  ${buggy}`);
  // Beside this file, so its imports resolve as in a project that installed the packages.
  const dir = mkdtempSync(join(here, '.fuzz-reducer-'));
  try {
    const script = join(dir, 'fixed.ts');
    writeFileSync(script, fixed);
    const { code, stdout, stderr } = await run(script, 120_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok: 50 seeds, 100 commands each: \d+ applied/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 130_000);

// The README's quick start must run as printed, and end by itself: a program that leaves its
// nodes running never exits, and a reader copying it would wait for nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs a TypeScript file as the README says; resolves with its output once it exits by itself. */
function runToExit(script: string, deadlineMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit by itself within ${deadlineMs} ms; it printed:\n${stdout}${stderr}`));
    }, deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The code block under the README's quick-start heading. */
function readmeQuickStart(): string {
  const readme = readFileSync(join(here, '../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A 3-node cluster'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('no ```ts block under the README quick-start heading');
  return block[1]!;
}

it('runs examples/quickstart.ts: a leader, a forwarded proposal, a linearizable read, then exits', async () => {
  const { code, stdout, stderr } = await runToExit(join(here, 'quickstart.ts'));
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^greeting = hello, leader: [abc]$/m);
});

it('runs the code block of the README as printed, and it exits by itself', async () => {
  // Beside this file, so its imports resolve as in a project that installed the packages.
  const dir = mkdtempSync(join(here, '.readme-quickstart-'));
  try {
    const script = join(dir, 'readme.ts');
    writeFileSync(script, readmeQuickStart());
    const { code, stdout, stderr } = await runToExit(script);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('hello\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

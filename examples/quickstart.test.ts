// The README's quick start must run as printed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('runs the README quick start: a leader, a forwarded proposal, a linearizable read', () => {
  const script = fileURLToPath(new URL('./quickstart.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
  expect(output).toMatch(/^greeting = hello, leader: [abc]$/m);
});

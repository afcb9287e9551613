#!/usr/bin/env node
// Runs every check `npm test` promises: the type check, then each workspace's own "test"
// script, in dependency order. Keeps going after a failure so one run shows everything,
// and ends with one summary line.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const only = process.argv.slice(2);

const steps = [
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-b'], cwd: root },
  { name: 'lint (Biome)', cmd: 'npx', args: ['biome', 'ci', '.'], cwd: root },
];
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
  if (pkg.scripts?.test) steps.push({ name: pkg.name, cmd: 'npm', args: ['run', 'test'], cwd: join(root, ws) });
}

// Last: what users of the published packages see.
steps.push(
  { name: 'bundle size budgets', cmd: 'node', args: ['scripts/check-sizes.mjs'], cwd: root },
  { name: 'package hygiene (publint, attw, packed install)', cmd: 'node', args: ['scripts/check-packages.mjs'], cwd: root },
  { name: 'API reference (TypeDoc)', cmd: 'npx', args: ['typedoc', '--logLevel', 'Warn'], cwd: root },
);

const results = [];
for (const step of steps) {
  if (only.length > 0 && !only.some((o) => step.name.includes(o))) continue;
  const started = Date.now();
  process.stdout.write(`\n=== ${step.name}\n`);
  const { status } = spawnSync(step.cmd, step.args, { cwd: step.cwd, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name: step.name, ok: status === 0, seconds });
}

process.stdout.write('\n');
for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds}s)\n`);
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(`test steps: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);

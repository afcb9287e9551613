#!/usr/bin/env node
// Package hygiene: every publishable package passes publint and @arethetypeswrong/cli, and
// the packed tarballs install and import in a clean folder outside the workspace.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = ['packages/core', 'packages/sim', 'packages/transport-ws', 'packages/log-indexeddb', 'packages/store', 'packages/cli'];
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

execFileSync('npx', ['tsc', '-b'], { cwd: root, stdio: 'inherit' });

const scratch = mkdtempSync(join(tmpdir(), 'webraft-pack-'));
let failures = 0;
const tarballs = [];
const imports = [];
try {
  for (const dir of packages) {
    const pkgDir = join(root, dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], pkgDir));
    const tarball = join(scratch, filename);
    tarballs.push(tarball);
    for (const subpath of Object.keys(pkg.exports)) imports.push(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
    for (const [tool, args] of [
      ['publint', ['publint', '--strict', pkgDir]],
      ['attw', ['attw', '--profile', 'esm-only', '--format', 'table-flipped', tarball]],
    ]) {
      try {
        run('npx', args, root);
        process.stdout.write(`ok   ${tool} ${pkg.name}\n`);
      } catch (error) {
        failures++;
        process.stdout.write(`FAIL ${tool} ${pkg.name}\n${error.stdout ?? ''}${error.stderr ?? ''}\n`);
      }
    }
  }

  // A clean consumer: the tarballs and their dependencies from the registry, nothing else.
  const consumer = join(scratch, 'consumer');
  execFileSync('mkdir', ['-p', consumer]);
  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], consumer);
  const script = imports.map((name) => `await import(${JSON.stringify(name)});`).join('\n');
  writeFileSync(join(consumer, 'check.mjs'), `${script}\nconsole.log('imported ${imports.length} entry points');\n`);
  try {
    process.stdout.write(run('node', ['check.mjs'], consumer));
  } catch (error) {
    failures++;
    process.stdout.write(`FAIL import from packed tarballs\n${error.stdout ?? ''}${error.stderr ?? ''}\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`package checks: ${failures === 0 ? 'all passed' : `${failures} failed`}\n`);
process.exit(failures === 0 ? 0 : 1);

#!/usr/bin/env node
// Runs the relay command. An installed package runs its compiled dist/. Inside the source tree
// (this package's tsconfig.json is beside it; published tarballs do not ship one) it runs the
// TypeScript sources through tsx, with every @webraft package resolved to its sources: a fresh
// clone has no dist/ until something builds it, and a dist/ left by an earlier build may be
// stale. Building at install time instead (a root `prepare`) would make every `npm install`
// wait for a whole `tsc -b` and fail while any package does not type-check.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const inSourceTree = existsSync(new URL('../tsconfig.json', import.meta.url));
const resolvesToSources = () => {
  try {
    return import.meta.resolve('@webraft/core').endsWith('.ts');
  } catch {
    return false;
  }
};

if (inSourceTree && !resolvesToSources() && !process.execArgv.includes('--conditions=source')) {
  // The `source` export condition only takes effect when Node starts: start again with it.
  const child = spawn(process.execPath, ['--conditions=source', fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  let cli;
  if (inSourceTree) {
    const { register } = await import('tsx/esm/api');
    register();
    cli = await import('../src/relay/cli.ts');
  } else {
    cli = await import('../dist/relay/cli.js');
  }
  cli.main(args).catch((error) => {
    process.stderr.write(`webraft-relay: ${error.message}\n`);
    process.exit(1);
  });
}

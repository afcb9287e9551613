#!/usr/bin/env node
// Runs the compiled command. Inside the source tree (nothing built, or Node started with
// --conditions=source) it runs the TypeScript sources through tsx, with every @webraft package
// resolved to its sources.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const fromSource = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--conditions=source'));
let cli;
if (!fromSource) {
  try {
    cli = await import('../dist/main.js');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
}
if (cli === undefined && !fromSource) {
  // Not built: start again on the sources (the condition must be set when Node starts).
  const child = spawn(process.execPath, ['--conditions=source', fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  if (cli === undefined) {
    const { register } = await import('tsx/esm/api');
    register();
    cli = await import('../src/main.ts');
  }
  cli.main(args).catch((error) => {
    process.stderr.write(`webraft: ${error.message}\n`);
    if (error.name === 'UsageError') process.stderr.write(`\n${cli.usage}`);
    process.exit(error.name === 'UsageError' ? 2 : 1);
  });
}

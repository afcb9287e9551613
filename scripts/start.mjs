#!/usr/bin/env node
// `npm start`: serve the playground on localhost when it is there; otherwise run the 3-node
// demo cluster in Node.
//
// The server runs as a direct child (no npm or shell in between), so a signal sent to this
// process reaches it. A signal sent to `npm start` itself reaches only npm's shell, which dies
// without passing it on: this process then finds itself orphaned and stops the child too.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const playground = join(root, 'apps/playground');
const serve = join(playground, 'scripts/serve.mjs');

const [args, cwd] = existsSync(serve)
  ? [['--import', 'tsx', '--conditions', 'source', serve, ...process.argv.slice(2)], playground]
  : [['--import', 'tsx', join(root, 'scripts/demo.ts'), ...process.argv.slice(2)], root];

const child = spawn(process.execPath, args, { cwd, stdio: 'inherit' });
const stop = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 300).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
